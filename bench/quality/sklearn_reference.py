"""scikit-learn's side of `npm run bench quality` (run with /usr/bin/python3; no network).

export DIR
    Writes the real datasets scikit-learn ships (iris, wine, breast_cancer, diabetes) to
    DIR/<name>.csv: the feature columns and a `target` column (class names for
    classification), plus DIR/datasets.json describing them.

fit MANIFEST
    MANIFEST is a JSON list of {name, task, target, train, test}: CSVs of the exact train and
    test rows our pipeline used. Fits the references on each train CSV with their default
    settings (features standardized for the linear models, as our preprocessing does) and
    prints JSON metrics on the test CSV: accuracy for classification, rmse and r2 for
    regression, and each fit's seconds.
"""
import json
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn import datasets
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

LOADERS = {
    "iris": (datasets.load_iris, "classification"),
    "wine": (datasets.load_wine, "classification"),
    "breast_cancer": (datasets.load_breast_cancer, "classification"),
    "diabetes": (datasets.load_diabetes, "regression"),
}


def export(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    described = []
    for name, (load, task) in LOADERS.items():
        bunch = load(as_frame=True)
        frame = bunch.frame.copy()
        # Column names without spaces or parentheses keep the CSV plain for every reader.
        frame.columns = [str(c).replace(" ", "_").replace("(", "").replace(")", "") for c in frame.columns]
        features = [c for c in frame.columns if c != "target"]
        if task == "classification":
            frame["target"] = [str(bunch.target_names[int(i)]) for i in frame["target"]]
        frame.to_csv(os.path.join(out_dir, f"{name}.csv"), index=False)
        described.append({"name": name, "task": task, "rows": len(frame), "features": features, "file": f"{name}.csv"})
    with open(os.path.join(out_dir, "datasets.json"), "w") as f:
        json.dump(described, f)


def references(task):
    if task == "classification":
        return {
            "LogisticRegression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
            "HistGradientBoostingClassifier": HistGradientBoostingClassifier(random_state=0),
        }
    return {
        "Ridge": make_pipeline(StandardScaler(), Ridge()),
        "HistGradientBoostingRegressor": HistGradientBoostingRegressor(random_state=0),
    }


def score(task, actual, predicted):
    if task == "classification":
        return {"accuracy": float(accuracy_score(actual, predicted))}
    return {"rmse": float(np.sqrt(mean_squared_error(actual, predicted))), "r2": float(r2_score(actual, predicted))}


def fit(manifest_file):
    with open(manifest_file) as f:
        manifest = json.load(f)
    out = {}
    for d in manifest:
        target_type = str if d["task"] == "classification" else float
        train = pd.read_csv(d["train"], dtype={d["target"]: target_type})
        test = pd.read_csv(d["test"], dtype={d["target"]: target_type})
        x_train, y_train = train.drop(columns=[d["target"]]), train[d["target"]]
        x_test, y_test = test.drop(columns=[d["target"]]), test[d["target"]]
        out[d["name"]] = {}
        for ref, model in references(d["task"]).items():
            start = time.perf_counter()
            model.fit(x_train, y_train)
            seconds = time.perf_counter() - start
            out[d["name"]][ref] = {**score(d["task"], y_test, model.predict(x_test)), "seconds": seconds}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    command, arg = sys.argv[1], sys.argv[2]
    {"export": export, "fit": fit}[command](arg)
