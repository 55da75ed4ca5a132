"""The learning filter: two models over a comment's features (blog.spam.features), learnt online
from the moderators' clicks and kept in the database (spam_tokens: a row per feature), so that every
app server scores with the same model and each click changes it at once.

- A linear model learnt by the passive-aggressive rule (Crammer et al., 2006, "PA-I"): a comment
  it already puts on the right side with room to spare changes nothing; otherwise every feature of
  the comment moves just far enough, capped by AGGRESSIVENESS, to put it there.
- Naive Bayes over the same features' spam and ham counts, combined as Robinson and Fisher did
  (chi-square of the features' probabilities); a feature never seen leans a little toward ham
  (UNKNOWN), as readers' words on a new post mostly are.

The score is their mean. Chosen after measuring each alone and together on the shared data set
(bench/spam_eval.py): together they caught as much spam as either while holding far fewer readers.
"""

import functools
import json
import math
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from blog.models import Comment, ModerationLog
from blog.spam.features import comment_features, feature_key
from blog.spam.models import SpamToken
from extensions import db

AGGRESSIVENESS = 0.1  # the largest step one example may take (PA-I's C)
UNKNOWN = 0.4  # naive Bayes: the spam probability of a feature never learnt, and the prior it shrinks to
UNKNOWN_STRENGTH = 0.45  # how many examples' worth that prior weighs (Robinson's s)
MOST_TELLING = 150  # naive Bayes combines this many features, those furthest from 0.5
# The filter stays silent until moderators have taught it this many comments of each kind: a model
# that has seen three spams and no readers would hold everyone.
MIN_EXAMPLES = 10
BIAS = 0  # the row key of the model's bias (its counts: comments learnt)
LABELS = {"spam": 1, "ham": -1}

# The rows of a list of keys, passed as one parameter (an array, or JSON for SQLite): an IN list of
# a parameter per key costs SQLAlchemy more to expand than the database takes to answer.
_SELECT = "SELECT token, weight, spam, ham FROM spam_tokens WHERE token"
_READ = {
    "postgresql": sa.text(f"{_SELECT} = ANY(CAST(:keys AS bigint[]))"),
    "sqlite": sa.text(f"{_SELECT} IN (SELECT value FROM json_each(:keys))"),
}


@dataclass(frozen=True)
class Feature:
    """One feature of a comment, and what the model knows of it."""

    name: str
    weight: float
    spam: int  # comments learnt as spam that had it
    ham: int


@dataclass(frozen=True)
class Score:
    """The filter's verdict on a text: the probability-like score, and the features behind it."""

    probability: float
    features: list[Feature]  # the comment's known features, strongest push first

    @property
    def spam_words(self) -> list[str]:
        """The features that pushed most toward spam, for the comment's reason."""
        return [feature.name for feature in self.features if feature.weight > 0][:3]

    def reason(self) -> str:
        words = ", ".join(self.spam_words) or "none"
        return f"spam filter: {self.probability:.2f}; words: {words}"


def score_text(body: str, author_name: str = "", author_email: str = "", author_url: str = "") -> Score | None:
    """Score a comment's text and author fields (no learning); None until the model has learnt enough."""
    names = comment_features(body, author_name, author_email, author_url)
    known, bias = _known(names)
    if bias.spam < MIN_EXAMPLES or bias.ham < MIN_EXAMPLES:
        return None
    linear = _squash(bias.weight + sum(feature.weight for feature in known))
    bayes = _bayes(known, len(names) - len(known), bias)
    return Score((linear + bayes) / 2, sorted(known, key=lambda feature: -abs(feature.weight)))


def explain(comment: Comment) -> Score | None:
    """What the model says of a stored comment now, feature by feature (the admin's "why")."""
    return score_text(comment.body, comment.author_name, comment.author_email, comment.author_url)


def learn(comment: Comment, label: str) -> bool:
    """Teach the model that this comment is `label` ("spam" or "ham"), in the caller's transaction;
    False when it had already learnt that. A comment learnt the other way before counts over."""
    if comment.trained_as == label or comment.deleted_at is not None:
        return False
    names = comment_features(comment.body, comment.author_name, comment.author_email, comment.author_url)
    known, bias = _known(names)
    target = LABELS[label]
    margin = bias.weight + sum(feature.weight for feature in known)
    step = min(AGGRESSIVENESS, max(0.0, 1 - target * margin) / (len(names) + 1)) * target
    counts = {"spam": int(label == "spam") - int(comment.trained_as == "spam"),
              "ham": int(label == "ham") - int(comment.trained_as == "ham")}
    _add({BIAS: step, **{feature_key(name): step for name in names}}, **counts)
    comment.trained_as = label
    return True


def rebuild(include_unmoderated: bool = False) -> tuple[int, int]:
    """Learn the model afresh from the moderation history, in the caller's transaction: every comment
    now in the spam or approved, in the order moderators last moved it there. With
    `include_unmoderated`, comments that reached those statuses without a moderator (the rules,
    an import) are learnt first. How many spam and ham comments it learnt."""
    forget_all()
    moved = (sa.select(ModerationLog.comment_id, sa.func.max(ModerationLog.id).label("step"))
             .where(ModerationLog.to_status.in_(("spam", "approved"))).group_by(ModerationLog.comment_id).subquery())
    comments = db.session.scalars(
        sa.select(Comment).join(moved, moved.c.comment_id == Comment.id, isouter=include_unmoderated)
        .where(Comment.status.in_(("spam", "approved")), Comment.shadow.is_(False), Comment.deleted_at.is_(None))
        .order_by(sa.func.coalesce(moved.c.step, 0), Comment.id).execution_options(yield_per=500))
    learnt = {"spam": 0, "ham": 0}
    for comment in comments:
        label = "spam" if comment.status == "spam" else "ham"
        learnt[label] += learn(comment, label)
    return learnt["spam"], learnt["ham"]


def forget_all() -> None:
    """Empty the model and what every comment taught it (before a rebuild), in the caller's transaction."""
    db.session.execute(sa.delete(SpamToken))
    db.session.execute(sa.update(Comment).where(Comment.trained_as.is_not(None)).values(trained_as=None))


def examples_learnt() -> tuple[int, int]:
    """How many spam and ham comments the model has learnt."""
    row = db.session.get(SpamToken, BIAS)
    return (row.spam, row.ham) if row else (0, 0)


def _known(names: list[str]) -> tuple[list[Feature], Feature]:
    """The stored features among these names, and the bias row (zeros when none is stored yet)."""
    keys = {feature_key(name): name for name in names}
    dialect = db.session.get_bind().dialect.name
    listed = [BIAS, *keys]
    rows = db.session.execute(_READ[dialect], {"keys": json.dumps(listed) if dialect == "sqlite" else listed}).all()
    bias = Feature("(bias)", 0.0, 0, 0)
    known = []
    for row in rows:
        if row.token == BIAS:
            bias = Feature("(bias)", row.weight, row.spam, row.ham)
        else:
            known.append(Feature(keys[row.token], row.weight, row.spam, row.ham))
    return known, bias


def _add(steps: dict[int, float], spam: int, ham: int) -> None:
    """Add to the rows' weights and counts, creating missing rows: one statement run for every row,
    in key order, so that two servers learning at once take their row locks in the same order."""
    rows = [{"token": key, "weight": steps[key], "spam": spam, "ham": ham} for key in sorted(steps)]
    db.session.execute(_upsert(db.session.get_bind().dialect.name), rows)


@functools.cache
def _upsert(dialect: str) -> sa.Insert:
    """INSERT … ON CONFLICT that adds to an existing row (built once per dialect: a statement built
    per click costs more to compile than to run)."""
    table = SpamToken.__table__
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    return insert.on_conflict_do_update(index_elements=[table.c.token], set_={
        "weight": table.c.weight + insert.excluded.weight,
        "spam": table.c.spam + insert.excluded.spam,
        "ham": table.c.ham + insert.excluded.ham,
    })


def _bayes(known: list[Feature], unknown: int, totals: Feature) -> float:
    """Naive Bayes' spam probability, Robinson-Fisher style, from the features' counts."""
    probabilities = [UNKNOWN] * unknown
    for feature in known:
        spam_rate, ham_rate = feature.spam / max(1, totals.spam), feature.ham / max(1, totals.ham)
        seen = feature.spam + feature.ham
        leaning = spam_rate / (spam_rate + ham_rate) if spam_rate + ham_rate else UNKNOWN
        probabilities.append((UNKNOWN_STRENGTH * UNKNOWN + seen * leaning) / (UNKNOWN_STRENGTH + seen))
    telling = sorted(probabilities, key=lambda p: -abs(p - 0.5))[:MOST_TELLING]
    if not telling:
        return UNKNOWN
    ham_evidence = _chi2_tail(-2 * sum(math.log(p) for p in telling), 2 * len(telling))
    spam_evidence = _chi2_tail(-2 * sum(math.log(1 - p) for p in telling), 2 * len(telling))
    return (1 + ham_evidence - spam_evidence) / 2


def _chi2_tail(chi2: float, degrees: int) -> float:
    """P(X >= chi2) for a chi-square variable of even `degrees` (its closed form as a Poisson sum)."""
    half = chi2 / 2
    term = total = math.exp(-half)
    for i in range(1, degrees // 2):
        term *= half / i
        total += term
    return min(total, 1.0)


def _squash(margin: float) -> float:
    """The margin as a score between 0 and 1 (0.5 on the fence; a margin of 1, the learning
    target, is 0.88)."""
    return 1 / (1 + math.exp(-2 * max(-30.0, min(30.0, margin))))
