"""A regression MLP in PyTorch, trained by `mlops` as `model.type: command`.

Reads the CSV files it is handed (MLOPS_TRAIN_DATA, MLOPS_VALIDATION_DATA), trains with the
hyperparameters in MLOPS_HYPERPARAMETERS, checkpoints every epoch into MLOPS_CHECKPOINT_DIR (and
resumes from it when a retried attempt finds one there), reports progress on stdout, and writes
model.onnx (one float input [N, F], the numeric features in the spec's order; output [N, 1])
and metrics.json into MLOPS_MODEL_DIR.
"""
import json
import os
import sys
import time

import pandas as pd
import torch

spec = json.load(open(os.environ["MLOPS_SPEC"]))
params = json.loads(os.environ["MLOPS_HYPERPARAMETERS"])
features = [f["name"] for f in spec["data"]["features"]]
target = spec["data"]["target"]
epochs = int(params.get("epochs", 20))
lr = float(params.get("lr", 0.05))
hidden = int(params.get("hidden", 16))
torch.manual_seed(int(os.environ.get("MLOPS_SEED", "0")))


def load(path):
    frame = pd.read_csv(path)
    x = torch.tensor(frame[features].astype("float32").fillna(0).values)
    y = torch.tensor(frame[[target]].astype("float32").values)
    return x, y


x, y = load(os.environ["MLOPS_TRAIN_DATA"])
validation = load(os.environ["MLOPS_VALIDATION_DATA"]) if "MLOPS_VALIDATION_DATA" in os.environ else None


class Regressor(torch.nn.Module):
    """Standardises the raw features inside the graph, so the ONNX model takes raw values."""

    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.net = torch.nn.Sequential(torch.nn.Linear(len(features), hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 1))

    def forward(self, raw):
        return self.net((raw - self.mean) / self.std)


model = Regressor(x.mean(0), x.std(0).clamp_min(1e-6))
optimizer = torch.optim.Adam(model.parameters(), lr=lr)
loss_fn = torch.nn.MSELoss()

# Resume from the checkpoint a previous attempt left (mlops restores the folder on a retry).
checkpoint = os.path.join(os.environ["MLOPS_CHECKPOINT_DIR"], "state.pt")
start = 0
if os.path.exists(checkpoint):
    state = torch.load(checkpoint)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    start = state["epoch"]
print(f"training epochs {start + 1}..{epochs}", file=sys.stderr, flush=True)

for epoch in range(start + 1, epochs + 1):
    model.train()
    for batch in torch.randperm(len(x)).split(64):
        optimizer.zero_grad()
        loss = loss_fn(model(x[batch]), y[batch])
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        report = {"epoch": epoch, "loss": loss_fn(model(x), y).item(), "resumedFrom": start}
        if validation is not None:
            report["valLoss"] = loss_fn(model(validation[0]), validation[1]).item()
    # Write the checkpoint atomically, then report the epoch: mlops snapshots the folder on each report.
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, checkpoint + ".tmp")
    os.replace(checkpoint + ".tmp", checkpoint)
    print("mlops:progress " + json.dumps(report), flush=True)
    time.sleep(float(params.get("epochSeconds", 0)))

model_dir = os.environ["MLOPS_MODEL_DIR"]
torch.onnx.export(
    model, x[:1], os.path.join(model_dir, "model.onnx"),
    input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "n"}, "output": {0: "n"}},
)
json.dump({"train_mse": report["loss"], **({"val_mse": report["valLoss"]} if "valLoss" in report else {})}, open(os.path.join(model_dir, "metrics.json"), "w"))
