"""The implementations behind the hot operations.

- ``naive``:  Python loops written straight from the equations (teaching reference).
- ``im2col``: vectorised NumPy (im2col / col2im, strided slices).
- ``jit``:    Numba-compiled loops (added with the numba backend).

All share the signatures documented in ``common``; tests prove they agree.
"""
