"""The implementations behind the hot operations, one module per backend.

- ``naive.py``       'naive': Python loops written straight from the lecture's equations,
                     convolution included (the teaching reference).
- ``vectorised.py``  'numpy': im2col / col2im and pooling as strided NumPy slices; the
                     convolution itself is the functional core's im2col code.
- ``compiled.py``    'numba': the loops compiled by Numba, convolution and batch norm
                     done image by image with BLAS.

``contract.py`` says what each provides (the ``Kernels`` value at the bottom of each
module), ``common.py`` holds the helpers they share; the tests prove they agree.
"""
