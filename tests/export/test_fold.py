"""Folding convolution+pool pairs: the exported encoder computes what the paper's layers compute, faster."""

from importlib import resources

import numpy as np
import onnxruntime as ort
import pytest
from helpers import require_extra


def _graph(onnx, pool: str, kernel: int, shared_output: bool = False):
    """frames [N,3,16,16] -> Conv(kernel, same padding) -> ``pool`` 2x2 -> LeakyRelu -> out (and the conv output)."""
    helper, numpy_helper = onnx.helper, onnx.numpy_helper
    rng = np.random.default_rng(kernel)
    w = numpy_helper.from_array(rng.normal(size=(8, 3, kernel, kernel)).astype(np.float32), "w")
    b = numpy_helper.from_array(rng.normal(size=8).astype(np.float32), "b")
    nodes = [helper.make_node("Conv", ["x", "w", "b"], ["c"], kernel_shape=[kernel, kernel], pads=[kernel // 2] * 4),
             helper.make_node(pool, ["c"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("LeakyRelu", ["p"], ["y"], alpha=0.01)]
    outputs = [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [None, 8, 8, 8])]
    if shared_output:
        outputs.append(helper.make_tensor_value_info("c", onnx.TensorProto.FLOAT, [None, 8, 16, 16]))
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [None, 3, 16, 16])],
                              outputs, [w, b])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=10)


def _run(model, x: np.ndarray) -> np.ndarray:
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(["y"], {"x": x})[0]


@pytest.mark.parametrize("kernel", [3, 5, 1])
def test_a_convolution_and_its_average_pool_become_one_strided_convolution_with_the_same_outputs(kernel):
    onnx = require_extra("onnx")
    from reprocut.export.fold import fold_pools

    model = _graph(onnx, "AveragePool", kernel)
    x = np.random.default_rng(0).random((4, 3, 16, 16), dtype=np.float32)
    expected = _run(model, x)
    assert fold_pools(model) == 1
    onnx.checker.check_model(model)
    assert [n.op_type for n in model.graph.node] == ["Conv", "LeakyRelu"]
    got = _run(model, x)
    assert got.shape == expected.shape == (4, 8, 8, 8)
    assert np.abs(got - expected).max() < 1e-5


@pytest.mark.parametrize("pool,shared", [("MaxPool", False), ("AveragePool", True)])
def test_what_is_not_a_plain_average_of_the_convolution_stays_as_it_was(pool, shared):
    onnx = require_extra("onnx")
    from reprocut.export.fold import fold_pools

    model = _graph(onnx, pool, 3, shared_output=shared)  # a max is not linear; a convolution output used elsewhere
    assert fold_pools(model) == 0
    assert [n.op_type for n in model.graph.node] == ["Conv", pool, "LeakyRelu"]


def test_the_bundled_model_ships_folded():
    onnx = require_extra("onnx")
    model = onnx.load(str(resources.files("reprocut.stream") / "models" / "default.onnx"))
    ops = [n.op_type for n in model.graph.node]
    assert ops.count("Conv") == 4 and "AveragePool" not in ops
