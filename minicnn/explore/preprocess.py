"""MNIST-style preprocessing of a drawn digit: what LeCun et al. did to every MNIST image.

A digit drawn on a canvas is big, off-centre and of any aspect ratio; LeNet-5 was
trained on digits that were

1. cropped to the bounding box of their ink,
2. scaled (keeping the aspect ratio, anti-aliased) so the longer side is 20 pixels,
3. placed in a 28×28 field so that their centre of mass sits where MNIST's do,
   at pixel (14, 14).

The canvas is already white ink on black, so the explorer needs only this last step of
``mc.data.load_digit``; both call the one function,
``minicnn.data.digits.mnist_style`` (a photo first goes through the steps that
find the paper and the ink, see ``minicnn.data.digits``).
"""

from __future__ import annotations

from ..data.digits import BOX, SIZE, mnist_style, resize_area

FIELD = SIZE  # the MNIST image side (the explorer's name for it)

__all__ = ["mnist_style", "resize_area", "FIELD", "BOX"]
