"""How well the learning filter (blog.spam.filter) tells spam from readers' comments.

    python bench/spam_eval.py --train A.csv [B.csv ...] --test C.csv [D.csv ...]

trains on the labelled comments of the training files (CSV with CONTENT, CLASS 1 = spam / 0 = ham,
and optional AUTHOR), in file and row order, through the path moderators' clicks take: each comment
is stored held and moved to spam or approved by blog.moderation.set_comment_status. It then scores
the test files' comments without learning from them, and prints the figures, the last line being
one JSON object. Without --train, it runs the two splits of the shared YouTube Spam Collection
(../shared/spam): each file held out in turn (trained on the others), and chronological (trained on
the earliest 70 % of all comments by date, tested on the rest).
"""

import argparse
import csv
import json
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.reader_cost import make_app  # noqa: E402

SHARED = ROOT.parent / "shared" / "spam"
CHRONOLOGICAL_TRAINING_SHARE = 0.7


def read_labelled(path: Path) -> list[dict]:
    """The file's comments, in file order: author, text, date and label."""
    with path.open(encoding="utf-8", newline="") as file:
        return [{"author": row.get("AUTHOR") or "", "text": row["CONTENT"], "date": row.get("DATE") or "",
                 "spam": row["CLASS"].strip() == "1"} for row in csv.DictReader(file)]


def evaluate(training: list[dict], testing: list[dict], threshold: float | None) -> dict:
    """Train a fresh blog's filter on `training` as moderators would, score `testing`; the figures."""
    app = make_app("sqlite://")  # in memory: a fresh blog per evaluation
    app.config["AKISMET_API_KEY"] = None  # its clicks are an experiment: nothing goes to a real Akismet
    with app.test_request_context():
        return _train_and_score(training, testing, threshold)


def _train_and_score(training: list[dict], testing: list[dict], threshold: float | None) -> dict:
    from blog.models import Comment, Post
    from blog.moderation import set_comment_status
    from blog.settings import get_settings
    from blog.spam import filter as spam_filter
    from core.dbtypes import utcnow
    from extensions import db

    db.create_all()
    threshold = float(get_settings()["spam_filter_threshold"]) if threshold is None else threshold
    post = Post(title="Evaluation", slug="evaluation", body="", status="published", published_at=utcnow())
    db.session.add(post)
    db.session.commit()
    for example in training:
        comment = Comment(post_id=post.id, author_name=example["author"][:245], body=example["text"],
                          status="pending")
        db.session.add(comment)
        db.session.flush()
        set_comment_status(comment, "spam" if example["spam"] else "approved", None, actor="spam_eval")
        db.session.commit()
    counts = {"true_positives": 0, "false_positives": 0, "false_negatives": 0, "true_negatives": 0, "unscored": 0}
    started = time.perf_counter()
    for example in testing:
        score = spam_filter.score_text(example["text"], example["author"])
        flagged = score is not None and score.probability >= threshold
        counts["unscored"] += score is None
        key = ("true" if flagged == example["spam"] else "false") + ("_positives" if flagged else "_negatives")
        counts[key] += 1
    elapsed_ms = (time.perf_counter() - started) * 1000
    return _figures(counts, elapsed_ms / max(1, len(testing)), threshold, len(training))


def _figures(counts: dict, ms_per_comment: float, threshold: float, trained: int) -> dict:
    tp, fp = counts["true_positives"], counts["false_positives"]
    fn, tn = counts["false_negatives"], counts["true_negatives"]
    return {
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "recall": round(tp / (tp + fn), 4) if tp + fn else None,
        "ham_false_positive_rate": round(fp / (fp + tn), 4) if fp + tn else None,
        "ms_per_comment": round(ms_per_comment, 3),
        "threshold": threshold, "trained": trained, "tested": tp + fp + fn + tn, **counts,
    }


def pooled(results: list[dict], threshold: float) -> dict:
    """One set of figures for several test runs, from their summed counts."""
    keys = ("true_positives", "false_positives", "false_negatives", "true_negatives", "unscored")
    counts = {key: sum(result[key] for result in results) for key in keys}
    tested = sum(result["tested"] for result in results)
    ms = sum(result["ms_per_comment"] * result["tested"] for result in results) / max(1, tested)
    return _figures(counts, ms, threshold, sum(result["trained"] for result in results))


def shared_splits(threshold: float | None) -> dict:
    """Leave-one-file-out and chronological splits of the shared files; prints a row for each."""
    files = sorted(SHARED.glob("*.csv"))
    if not files:
        raise SystemExit(f"No labelled files in {SHARED}; give --train and --test.")
    labelled = {path: read_labelled(path) for path in files}
    held_out = []
    for path in files:
        training = [example for other in files if other != path for example in labelled[other]]
        held_out.append(evaluate(training, labelled[path], threshold))
        _print_row(f"held out: {path.name}", held_out[-1])
    summary = pooled(held_out, held_out[0]["threshold"])
    _print_row("held out: all three", summary)
    everything = sorted((example for path in files for example in labelled[path]), key=lambda e: e["date"])
    cut = int(len(everything) * CHRONOLOGICAL_TRAINING_SHARE)
    chronological = evaluate(everything[:cut], everything[cut:], threshold)
    _print_row("chronological 70/30", chronological)
    return {"leave_one_file_out": summary, "chronological": chronological, **summary}


def _print_row(label: str, figures: dict) -> None:
    def percent(value):
        return "-" if value is None else f"{value * 100:5.1f} %"

    print(f"{label:32} precision {percent(figures['precision'])}  recall {percent(figures['recall'])}  "
          f"false positives on ham {percent(figures['ham_false_positive_rate'])}  "
          f"{figures['ms_per_comment']:.3f} ms/comment  ({figures['trained']} learnt, {figures['tested']} scored)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--train", nargs="+", type=Path, help="labelled CSV files to learn from, in order")
    parser.add_argument("--test", nargs="+", type=Path, help="labelled CSV files to score")
    parser.add_argument("--threshold", type=float, help="score that flags a comment (default: the setting's)")
    args = parser.parse_args()
    logging.getLogger("blog.moderation").setLevel(logging.WARNING)  # one line per click learnt otherwise
    if bool(args.train) != bool(args.test):
        parser.error("give both --train and --test, or neither")
    if args.train:
        training = [example for path in args.train for example in read_labelled(path)]
        testing = [example for path in args.test for example in read_labelled(path)]
        result = evaluate(training, testing, args.threshold)
        _print_row("test files", result)
    else:
        result = shared_splits(args.threshold)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
