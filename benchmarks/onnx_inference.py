"""ONNX export: inference speed of the IMDB LSTM and the IMDB CNN, onnxruntime vs nnkit vs PyTorch.

The parent builds each model once with random weights (seeded; speed does not depend on
training) and writes it three ways: an nnkit checkpoint, the ONNX export, and the same
weights as ``.npz`` for PyTorch (run only when ``/tmp/torchvenv`` has torch). Each
framework then runs in its own fresh process with 2 threads on the same pre-padded ids:
start-up to the first prediction (import + load + one review, from the worker's first
line), batch-1 latency (median and p99 of 200 calls) and batch-64 throughput (reviews/s).

    python benchmarks/onnx_inference.py            # prints a markdown table
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

START = time.perf_counter()

MODELS = {"lstm": {"vocab": 10000, "embed": 128, "units": 128, "maxlen": 200},
          "cnn": {"vocab": 5000, "embed": 50, "filters": 250, "kernel": 3, "hidden": 250,
                  "maxlen": 400}}
TORCH_PYTHON = "/tmp/torchvenv/bin/python"


def pre_padded(n, spec, seed=0):
    import numpy as np
    rng = np.random.default_rng(seed)
    lengths = rng.integers(10, spec["maxlen"] + 1, size=n)
    ids = rng.integers(1, spec["vocab"], size=(n, spec["maxlen"])).astype(np.int32)
    ids[np.arange(spec["maxlen"])[None, ::-1] >= lengths[:, None]] = 0       # Keras's "pre"
    return ids


def build(kind):
    import nnkit
    spec = MODELS[kind]
    nnkit.set_seed(0)
    if kind == "lstm":
        body = [nnkit.Embedding(spec["vocab"], spec["embed"], mask_zero=True),
                nnkit.LSTM(spec["units"], return_sequences=True), nnkit.GlobalAveragePooling1D(),
                nnkit.Dropout(0.5), nnkit.Dense(2, activation="softmax")]
    else:
        body = [nnkit.Embedding(spec["vocab"], spec["embed"]), nnkit.Dropout(0.2),
                nnkit.Conv1D(spec["filters"], spec["kernel"], activation="relu"),
                nnkit.GlobalMaxPooling1D(), nnkit.Dense(spec["hidden"]), nnkit.Dropout(0.2),
                nnkit.Activation("relu"), nnkit.Dense(1, activation="sigmoid")]
    return nnkit.Sequential([nnkit.Input((spec["maxlen"],), dtype="int32"), *body])


def timings(predict, kind):
    """Batch-1 latency (ms, median and p99) and batch-64 throughput (reviews/s)."""
    one, batch = pre_padded(1, MODELS[kind], 1), pre_padded(64, MODELS[kind], 2)
    for _ in range(5):
        predict(one)
    single = []
    for _ in range(200):
        start = time.perf_counter()
        predict(one)
        single.append(1000 * (time.perf_counter() - start))
    predict(batch)
    start = time.perf_counter()
    for _ in range(10):
        predict(batch)
    single.sort()
    return {"median_ms": statistics.median(single), "p99_ms": single[int(0.99 * len(single)) - 1],
            "batch64_per_s": 640 / (time.perf_counter() - start)}


def worker(framework, kind, folder):
    """Runs in a fresh process; prints one JSON line."""
    first = pre_padded(1, MODELS[kind], 3)
    if framework == "nnkit":
        import nnkit
        model = nnkit.load_model(os.path.join(folder, f"{kind}.h5"))
        predict = (lambda x: model.predict(x, verbose=0))
    elif framework == "onnxruntime":
        import onnxruntime
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = 2, 1
        session = onnxruntime.InferenceSession(os.path.join(folder, f"{kind}.onnx"), options,
                                               providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        predict = (lambda x: session.run(None, {name: x})[0])
    else:
        predict = torch_predictor(kind, folder)
    predict(first)
    result = {"startup_s": time.perf_counter() - START, **timings(predict, kind)}
    print(json.dumps(result))


def torch_predictor(kind, folder):
    import numpy as np
    import torch
    torch.set_num_threads(2)
    w = {key: torch.from_numpy(value) for key, value in
         np.load(os.path.join(folder, f"{kind}.npz")).items()}
    embedding = torch.nn.Embedding.from_pretrained(w["embeddings"])
    if kind == "lstm":
        lstm = torch.nn.LSTM(w["kernel"].shape[0], w["recurrent_kernel"].shape[0], batch_first=True)
        # Keras's gate blocks i, f, c, o are PyTorch's i, f, g, o
        lstm.weight_ih_l0.data = w["kernel"].T.contiguous()
        lstm.weight_hh_l0.data = w["recurrent_kernel"].T.contiguous()
        lstm.bias_ih_l0.data, lstm.bias_hh_l0.data = w["bias"], torch.zeros_like(w["bias"])

        def predict(x):
            with torch.no_grad():
                ids = torch.from_numpy(x).long()
                valid = ids != 0
                lengths = valid.sum(1).clamp(min=1)
                # pre-padded rows: valid steps to the front (PyTorch packs post-padding only)
                left = torch.stack([torch.cat([row[m], row[~m]]) for row, m in zip(ids, valid)])
                packed = torch.nn.utils.rnn.pack_padded_sequence(
                    embedding(left), lengths, batch_first=True, enforce_sorted=False)
                out, _ = lstm(packed)
                out, _ = torch.nn.utils.rnn.pad_packed_sequence(out, batch_first=True)
                mean = out.sum(1) / lengths[:, None]
                return torch.softmax(mean @ w["dense_kernel"] + w["dense_bias"], -1).numpy()
        return predict
    conv = torch.nn.Conv1d(w["conv_kernel"].shape[1], w["conv_kernel"].shape[2],
                           w["conv_kernel"].shape[0])
    conv.weight.data = w["conv_kernel"].permute(2, 1, 0).contiguous()
    conv.bias.data = w["conv_bias"]

    def predict(x):
        with torch.no_grad():
            y = torch.relu(conv(embedding(torch.from_numpy(x).long()).transpose(1, 2))).amax(2)
            y = torch.relu(y @ w["hidden_kernel"] + w["hidden_bias"])
            return torch.sigmoid(y @ w["dense_kernel"] + w["dense_bias"]).numpy()
    return predict


def torch_weights(model, kind):
    p = {layer.name: {k: v for k, v in zip(layer.params, layer.get_weights())}
         for layer in model.layers}
    by_type = {type(layer).__name__: layer.name for layer in model.layers}
    out = {"embeddings": p[by_type["Embedding"]]["embeddings"]}
    if kind == "lstm":
        out.update(p[by_type["LSTM"]])
        dense = p[by_type["Dense"]]
        out.update(dense_kernel=dense["kernel"], dense_bias=dense["bias"])
    else:
        conv = p[by_type["Conv1D"]]
        denses = [p[layer.name] for layer in model.layers if type(layer).__name__ == "Dense"]
        out.update(conv_kernel=conv["kernel"], conv_bias=conv["bias"],
                   hidden_kernel=denses[0]["kernel"], hidden_bias=denses[0]["bias"],
                   dense_kernel=denses[1]["kernel"], dense_bias=denses[1]["bias"])
    return out


def main():
    import numpy as np
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from common import machine, thread_env
    frameworks = ["onnxruntime", "nnkit"] + (["torch"] if os.path.exists(TORCH_PYTHON) else [])
    print(f"machine: {machine()}; load before: {os.getloadavg()}")
    print("| model | framework | start-up to first prediction (s) | batch 1 median (ms) | "
          "batch 1 p99 (ms) | batch 64 (reviews/s) |\n| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for kind in MODELS:
            model = build(kind)
            model.save(os.path.join(folder, f"{kind}.h5"))
            model.export(os.path.join(folder, f"{kind}.onnx"), format="onnx")
            np.savez(os.path.join(folder, f"{kind}.npz"), **torch_weights(model, kind))
            for framework in frameworks:
                python = TORCH_PYTHON if framework == "torch" else sys.executable
                done = subprocess.run([python, __file__, "--worker", framework, kind, folder],
                                      env=thread_env(), capture_output=True, text=True, check=True)
                r = json.loads(done.stdout.strip().splitlines()[-1])
                print(f"| {kind} | {framework} | {r['startup_s']:.2f} | {r['median_ms']:.2f} | "
                      f"{r['p99_ms']:.2f} | {r['batch64_per_s']:.0f} |", flush=True)
    print(f"load after: {os.getloadavg()}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(*sys.argv[2:5])
    else:
        main()
