"""Answer keys: one document model (`model`) built from a trace (`build`), typeset as
Markdown, LaTeX or HTML by one renderer each."""
