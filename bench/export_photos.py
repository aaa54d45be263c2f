"""Exports real photographs that ship inside scikit-image (no download) as PNGs,
to widen the alignment benchmark beyond the scalp photos. Usage: export_photos.py OUT_DIR"""
import os
import sys

import numpy as np
import skimage.data as data
from skimage.io import imsave
from skimage.transform import resize

# Real photographs (not drawings or synthetic images); textures like grass, gravel
# and brick are the closest to hair and scalp.
NAMES = ["astronaut", "camera", "coffee", "chelsea", "rocket", "brick", "grass",
         "gravel", "moon", "coins", "immunohistochemistry", "retina"]

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name in NAMES:
    img = getattr(data, name)()
    long_side = max(img.shape[:2])
    if long_side > 640:
        scale = 640 / long_side
        shape = (round(img.shape[0] * scale), round(img.shape[1] * scale)) + img.shape[2:]
        img = (resize(img, shape, anti_aliasing=True) * 255).round().astype(np.uint8)
    imsave(os.path.join(out, f"skimage-{name}.png"), img, check_contrast=False)
print(f"exported {len(NAMES)} photos to {out}")
