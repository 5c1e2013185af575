"""Fold each convolution and the 2x2 average pool after it into one convolution of stride 2.

The Repro-VAE's encoder computes a 3x3 convolution at full resolution and then averages each 2x2 block of
its output. Averaging is linear, so the two are one convolution: a 4x4 kernel (the 3x3 kernel spread over
the four positions of the block, a quarter each) applied at stride 2, with the same padding. It gives the
same outputs up to float rounding (~1e-6) from 2.25x fewer multiply-adds and no full-resolution
intermediate, which halves the encoder's CPU time (BENCHMARKS.md). The model trains and is described in
the paper's form; only the exported graph is folded.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper


def _attrs(node: onnx.NodeProto) -> dict:
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _foldable_pool(pool: onnx.NodeProto) -> bool:
    """A 2x2 average pool of stride 2 without padding (padding would change the divisor at the edges)."""
    a = _attrs(pool)
    return (pool.op_type == "AveragePool" and list(a.get("kernel_shape", [])) == [2, 2]
            and list(a.get("strides", [1, 1])) == [2, 2] and not any(a.get("pads", [0, 0, 0, 0]))
            and not a.get("ceil_mode", 0) and a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET"))


def _foldable_conv(conv: onnx.NodeProto) -> bool:
    """A plain 2-D convolution of stride 1 with explicit padding: ungrouped, undilated."""
    a = _attrs(conv)
    return (conv.op_type == "Conv" and a.get("group", 1) == 1 and list(a.get("strides", [1, 1])) == [1, 1]
            and list(a.get("dilations", [1, 1])) == [1, 1] and a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
            and len(a.get("kernel_shape", [0, 0])) == 2)


def pooled_kernel(weight: np.ndarray) -> np.ndarray:
    """[out, in, k, k] kernel -> the [out, in, k+1, k+1] kernel of "convolve, then average 2x2 blocks"."""
    w = weight.astype(np.float64) / 4
    out, cin, kh, kw = weight.shape
    kernel = np.zeros((out, cin, kh + 1, kw + 1))
    for di in range(2):
        for dj in range(2):
            kernel[:, :, di:di + kh, dj:dj + kw] += w
    return kernel.astype(weight.dtype)


def fold_pools(model: onnx.ModelProto) -> int:
    """Fold, in place, every Conv whose output goes only to a foldable 2x2 AveragePool; return how many."""
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    users: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            users[name] = users.get(name, 0) + 1
    outputs = {o.name for o in graph.output}
    by_input = {node.input[0]: node for node in graph.node if node.input}
    nodes, folded, pooled = [], 0, set()
    for node in graph.node:
        if node.output and node.output[0] in pooled:
            continue
        pool = by_input.get(node.output[0]) if node.output else None
        if (pool is None or not _foldable_conv(node) or not _foldable_pool(pool) or users.get(node.output[0]) != 1
                or node.output[0] in outputs or node.input[1] not in inits or users.get(node.input[1]) != 1):
            nodes.append(onnx.NodeProto())
            nodes[-1].CopyFrom(node)
            continue
        weight = inits[node.input[1]]
        kernel = pooled_kernel(numpy_helper.to_array(weight))
        weight.CopyFrom(numpy_helper.from_array(kernel, f"{weight.name}.pooled"))
        pads = list(_attrs(node).get("pads", [0, 0, 0, 0]))
        nodes.append(helper.make_node("Conv", [node.input[0], weight.name, *node.input[2:]], [pool.output[0]],
                                      name=node.name, kernel_shape=list(kernel.shape[2:]), strides=[2, 2], pads=pads))
        pooled.add(pool.output[0])
        folded += 1
    del graph.node[:]
    graph.node.extend(nodes)
    return folded
