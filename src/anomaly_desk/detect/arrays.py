"""The array type every detector module shares, apart from ``base`` so that modules that only
compute (deviation, baseline, explanation) load without scikit-learn: a report or the window's
expected band should not pay ~0.6 s for an estimator base class they never use."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
