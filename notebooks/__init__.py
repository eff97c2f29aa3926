"""The classroom notebooks, installed as ``spasm_lib.notebooks`` so ``spasm-teach start`` can copy them."""
