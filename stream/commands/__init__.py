"""Sub-commands of the ``reprocut`` CLI: each module has HELP, add_arguments() and run()."""
