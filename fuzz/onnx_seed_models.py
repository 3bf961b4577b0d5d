#!/usr/bin/python3
# Random single-node ONNX models (every op the importer knows, plus Constant
# and an unknown op) with random input dtypes, ranks, omitted and extra
# inputs and outputs, and attributes: seeds for fuzz/onnx_import_fuzz that
# reach shape inference's rules and errors and constant folding's kernels.
# fuzz/corpus/onnx_import/ holds the coverage-minimized set of seeds 0-2999:
#   /usr/bin/python3 fuzz/onnx_seed_models.py /tmp/m 0 3000
#   onnx_import_fuzz -merge=1 fuzz/corpus/onnx_import /tmp/m
import random, sys
import numpy as np
import onnx
from onnx import helper, TensorProto, numpy_helper

OPS = ["Add","AveragePool","BatchNormalization","Cast","Clip","Concat","Conv","ConvInteger","DequantizeLinear",
       "Div","Dropout","DynamicQuantizeLinear","Flatten","Gemm","GlobalAveragePool","Identity","MatMul",
       "MatMulInteger","MaxPool","Mul","QLinearConv","QLinearMatMul","QuantizeLinear","Relu","Reshape",
       "Softmax","Sub","Constant","Unknown","EpDynamicQuantMatMul"]
ARITY = {"Add":(2,2,1),"AveragePool":(1,1,1),"BatchNormalization":(5,5,1),"Cast":(1,1,1),"Clip":(1,3,1),
         "Concat":(1,4,1),"Conv":(2,3,1),"ConvInteger":(2,4,1),"DequantizeLinear":(2,3,1),"Div":(2,2,1),
         "Dropout":(1,3,2),"DynamicQuantizeLinear":(1,1,3),"Flatten":(1,1,1),"Gemm":(2,3,1),
         "GlobalAveragePool":(1,1,1),"Identity":(1,1,1),"MatMul":(2,2,1),"MatMulInteger":(2,4,1),
         "MaxPool":(1,1,1),"Mul":(2,2,1),"QLinearConv":(8,9,1),"QLinearMatMul":(8,8,1),
         "QuantizeLinear":(2,3,1),"Relu":(1,1,1),"Reshape":(2,2,1),"Softmax":(1,1,1),"Sub":(2,2,1),
         "Constant":(0,0,1),"Unknown":(1,1,1),"EpDynamicQuantMatMul":(3,4,1)}
DT = [TensorProto.FLOAT]*4 + [TensorProto.UINT8, TensorProto.INT8, TensorProto.INT32, TensorProto.INT64]
NP = {TensorProto.FLOAT: np.float32, TensorProto.UINT8: np.uint8, TensorProto.INT8: np.int8,
      TensorProto.INT32: np.int32, TensorProto.INT64: np.int64}

def rshape(r):
    rank = r.choice([0,1,1,2,2,3,4,4,4])
    return [r.choice([1,1,2,3,4,8]) for _ in range(rank)]

def make(seed):
    r = random.Random(seed)
    op = r.choice(OPS)
    lo, hi, mo = ARITY[op]
    n_in = r.randint(max(0, lo - 1), hi + 1) if r.random() < 0.25 else r.randint(lo, hi)
    inputs, graph_inputs, inits = [], [], []
    base = rshape(r)
    for i in range(n_in):
        if i >= lo and r.random() < 0.2:
            inputs.append(""); continue
        name = f"in{i}"
        dt = r.choice(DT)
        shp = base if r.random() < 0.4 else rshape(r)
        if r.random() < 0.15 and shp: shp = [len(shp)] if r.random()<0.5 else [shp[0]]
        if op == "Reshape" and i == 1 and r.random() < 0.8:
            spec = [r.choice([-1, 0, 1, 2, 3, 4, 6, 8, -2]) for _ in range(r.randint(0, 4))]
            inits.append(numpy_helper.from_array(np.array(spec, dtype=np.int64), name))
        elif r.random() < 0.5:
            arr = (np.arange(int(np.prod(shp)) if shp else 1) % 5).astype(NP[dt]).reshape(shp)
            inits.append(numpy_helper.from_array(arr, name))
        else:
            dims = [d if r.random() > 0.1 else "N" for d in shp]
            graph_inputs.append(helper.make_tensor_value_info(name, dt, dims))
        inputs.append(name)
    n_out = r.randint(1, mo + 1) if r.random() < 0.3 else 1
    outputs = [f"out{j}" for j in range(n_out)]
    attrs = {}
    pick = lambda: r.choice([-3,-2,-1,0,1,2,3,4])
    if r.random() < 0.5: attrs["axis"] = pick()
    if op == "Cast": attrs["to"] = r.choice([1,2,3,6,7,10,11])
    if op == "BatchNormalization" and r.random() < 0.2: attrs["training_mode"] = 1
    if op == "Reshape" and r.random() < 0.3: attrs["allowzero"] = 1
    if op in ("Conv","ConvInteger","QLinearConv","AveragePool","MaxPool"):
        if r.random() < 0.5: attrs["kernel_shape"] = [r.randint(1,3), r.randint(1,3)]
        if r.random() < 0.3: attrs["strides"] = [r.randint(1,2)]*2
        if r.random() < 0.3: attrs["pads"] = [r.randint(0,1)]*4
        if r.random() < 0.2: attrs["group"] = r.randint(1,2)
    if op == "Gemm":
        if r.random() < 0.5: attrs["transA"] = r.randint(0,1)
        if r.random() < 0.5: attrs["transB"] = r.randint(0,1)
    if op == "Constant":
        attrs = {"value": numpy_helper.from_array(np.ones([2], np.float32))}
    node = helper.make_node(op, inputs, outputs, name=f"n_{op}", **attrs)
    outs = [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs]
    g = helper.make_graph([node], "g", graph_inputs, outs, initializer=inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    return m

out_dir, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for s in range(start, start + count):
    onnx.save(make(s), f"{out_dir}/m{s}.onnx")
