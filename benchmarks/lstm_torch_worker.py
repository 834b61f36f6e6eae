"""PyTorch side of the IMDB-LSTM benchmark (run by lstm_imdb.py / memory.py; prints JSON).

Embedding(10000, 128) → nn.LSTM(128) (or ``--cell gru``: nn.GRU) → masked mean over valid steps → Linear(2) →
log-softmax + NLL, Adadelta(lr=1, rho=0.95, eps=1e-6), float32, 2 threads. Two ways
of running the LSTM: "padded" (all T steps; the masked mean ignores padded outputs,
exact for right padding) and "packed" (pack_padded_sequence, enforce_sorted=False).
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence  # noqa: E402


class Net(nn.Module):
    def __init__(self, packed, cell="lstm"):
        super().__init__()
        self.packed = packed
        self.embedding = nn.Embedding(common.VOCAB, common.EMBED)
        recurrent = nn.GRU if cell == "gru" else nn.LSTM
        self.lstm = recurrent(common.EMBED, common.HIDDEN, batch_first=True)
        self.dense = nn.Linear(common.HIDDEN, common.CLASSES)

    def forward(self, ids, lengths):
        e = self.embedding(ids)
        if self.packed:
            packed = pack_padded_sequence(e, lengths, batch_first=True, enforce_sorted=False)
            h, _ = pad_packed_sequence(self.lstm(packed)[0], batch_first=True,
                                       total_length=ids.shape[1])
        else:
            h = self.lstm(e)[0] * (ids != 0).unsqueeze(-1)
        pooled = h.sum(dim=1) / lengths.to(h.dtype).unsqueeze(-1)
        return torch.log_softmax(self.dense(pooled), dim=-1)


def batches(ids, lengths, labels, batch, rule="order"):
    """Batches in order (padded to maxlen); or each trimmed to its longest row, of similar
    lengths: ``"bucket"`` as nnkit's ``fit(shuffle="bucket")``, ``"length"`` as nnkit's
    ``predict`` (all rows longest first, cut into batches)."""
    if rule == "bucket":
        index = common.bucket_batches(lengths, batch)
    else:
        order = np.argsort(-lengths, kind="stable") if rule == "length" else np.arange(len(ids))
        index = [order[i:i + batch] for i in range(0, len(ids), batch)]
    out = []
    for rows in index:
        width = ids.shape[1] if rule == "order" else int(lengths[rows].max())
        out.append((torch.from_numpy(np.ascontiguousarray(ids[rows, :width])),
                    torch.from_numpy(lengths[rows]), torch.from_numpy(labels[rows])))
    return out


def main():
    parser = common.lstm_worker_parser()
    parser.add_argument("--variants", default="padded,packed,bucket_padded,bucket_packed,"
                                              "length_padded,length_packed",
                        help="padded / packed on batches in order; bucket_*: training on "
                             "fit(shuffle='bucket')'s batches, length_*: inference on "
                             "predict's batches, each trimmed to its longest row")
    args = parser.parse_args()
    torch.set_num_threads(int(common.THREADS))
    torch.manual_seed(0)
    ids, lengths, labels = common.imdb_like(args.seqs, args.maxlen)
    data_of = {"bucket": batches(ids, lengths, labels, args.batch, "bucket"),
               "length": batches(ids, lengths, labels, args.batch, "length")}
    in_order = batches(ids, lengths, labels, args.batch)
    tokens = int(lengths.sum())
    result = {"framework": "torch", "version": torch.__version__, "batch": args.batch,
              "maxlen": args.maxlen, "seqs": args.seqs, "tokens": tokens}

    for variant in args.variants.split(","):
        model = Net(packed=variant.endswith("packed"), cell=args.cell)
        rule = variant.split("_")[0] if "_" in variant else "order"
        data = data_of.get(rule, in_order)
        optimizer = torch.optim.Adadelta(model.parameters(), lr=1.0, rho=0.95, eps=1e-6)

        def train(model=model, optimizer=optimizer, data=data, steps=None):
            model.train()
            for ids_b, len_b, lab_b in data[:steps]:
                optimizer.zero_grad(set_to_none=False)
                loss = nn.functional.nll_loss(model(ids_b, len_b), lab_b)
                loss.backward()
                optimizer.step()

        def infer(model=model, data=data):
            model.eval()
            with torch.inference_mode():
                return np.concatenate([model(ids_b, len_b).exp().numpy()
                                       for ids_b, len_b, _ in data])

        if args.mode == "memory":
            baseline = common.peak_rss_mib()
            start = time.perf_counter()
            train(steps=args.steps)
            result.update({"variant": variant, "steps": args.steps,
                           "seconds": time.perf_counter() - start,
                           "rss_before_mib": baseline, "peak_rss_mib": common.peak_rss_mib()})
            break
        if rule != "length":
            result[f"train_{variant}_s"] = common.timed_reps(train, args.reps)
        if rule != "bucket":
            result[f"infer_{variant}_s"] = common.timed_reps(infer, args.reps)
    common.emit(result)


if __name__ == "__main__":
    main()
