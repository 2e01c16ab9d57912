# Python reference for the bench: onnx.load (external data included) + per-tensor numpy
# mean/std/min/max/zero fraction in float64, as a user would script it.
# Usage: /usr/bin/python3 bench/pyref.py MODEL [OUT.json]
import json, sys, time
import numpy as np
import onnx
from onnx import numpy_helper

t0 = time.time()
model = onnx.load(sys.argv[1])
t1 = time.time()
rows = []
for t in model.graph.initializer:
    a = numpy_helper.to_array(t)
    if a.size == 0 or a.dtype.kind not in "fiub":
        continue
    rows.append({
        "name": t.name,
        "count": int(a.size),
        "mean": float(a.mean(dtype=np.float64)),
        "std": float(a.std(dtype=np.float64)),
        "min": float(a.min()),
        "max": float(a.max()),
        "zeroFraction": float(np.count_nonzero(a == 0) / a.size),
    })
t2 = time.time()
if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as f:
        json.dump(rows, f)
print(json.dumps({"tensors": len(rows), "loadMs": (t1 - t0) * 1000, "statsMs": (t2 - t1) * 1000}))
