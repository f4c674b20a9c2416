"""Check Label Studio tasks and their labeling config with label-studio-sdk (run in the interop venv).

    python ls_sdk_check.py tasks.json labeling_config.xml

Prints one JSON object: counts, and every problem the SDK finds (empty when none); exits 1 on
problems. label-studio-sdk pins an older numpy and pulls code generators, so it lives in the
Label Studio venv, not the product's.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

from label_studio_sdk.label_interface import LabelInterface


def check(tasks: list[dict], config: str) -> dict:
    interface = LabelInterface(config)
    interface.validate()  # raises on a config Label Studio would refuse
    problems: list[str] = []
    variables = [o.value_name for o in interface.objects if o.value_is_variable]
    counts = {"tasks": len(tasks), "annotations": 0, "predictions": 0}
    for n, task in enumerate(tasks, start=1):
        missing = [v for v in variables if task["data"].get(v) is None]
        problems += [f"task {n}: data has no {v!r}" for v in missing]
        for i, ann in enumerate(task.get("annotations", []), start=1):
            counts["annotations"] += 1
            # The public validate_annotation returns only a bool (and validate_task calls it without
            # the annotation); the logic behind both gives the messages.
            problems += [f"task {n} annotation {i}: {e}" for e in interface._validate_object_logic(ann)]
            who = ann.get("completed_by")
            if not (isinstance(who, int) or (isinstance(who, dict) and "@" in str(who.get("email", "")))):
                problems.append(f"task {n} annotation {i}: completed_by {who!r} is neither a user id nor an e-mail")
        for i, pred in enumerate(task.get("predictions", []), start=1):
            counts["predictions"] += 1
            problems += [f"task {n} prediction {i}: {e}" for e in interface.validate_prediction(pred, return_errors=True)]
            if not pred.get("model_version"):
                problems.append(f"task {n} prediction {i}: no model_version")
    controls = sorted(interface.controls, key=lambda c: c.name)
    return {"sdk": version("label-studio-sdk"), **counts, "controls": [f"{c.name}->{','.join(c.to_name)}" for c in controls],
            "objects": sorted(o.name for o in interface.objects), "problems": problems}


def main() -> int:
    tasks = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    report = check(tasks, Path(sys.argv[2]).read_text(encoding="utf-8"))
    print(json.dumps(report))
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
