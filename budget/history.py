"""Which budget rows keep a history (goals.history), and on which post's page it is shown."""

from goals.history import register_history


def _post_anchor(post_id: int | None) -> str:
    return f"budget.post:{post_id}" if post_id else ""


def register_budget_history() -> None:
    from budget import models as m

    year_level = {"period": lambda obj: None}
    # What str() of a row follows, fetched once per batch when rows are created in bulk.
    of_post = {"prefetch": ("post__chapter",)}
    register_history(m.Chapter, anchor=lambda obj: f"budget.chapter:{obj.pk}", **year_level)
    register_history(
        m.Post, anchor=lambda obj: _post_anchor(obj.pk), prefetch=("chapter",), **year_level
    )
    register_history(m.SubPost, anchor=lambda obj: _post_anchor(obj.post_id), **year_level)
    for model in (m.AllocationEntry, m.BudgetProfile):
        register_history(
            model, anchor=lambda obj: _post_anchor(obj.post_id), **of_post, **year_level
        )
    for model in (
        m.AccountsEntry,
        m.Footnote,
        m.DispositionPart,
        m.DispositionTransfer,
        m.Authorisation,
        m.ReportedFigure,
        m.Commentary,
    ):
        register_history(model, anchor=lambda obj: _post_anchor(obj.post_id), **of_post)
    register_history(
        m.SubPostLine, anchor=lambda obj: _post_anchor(obj.subpost.post_id), prefetch=("subpost",)
    )
    register_history(m.GrantStatistic)
