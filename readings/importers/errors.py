class ImportProblem(ValueError):
    """Input that cannot become a reading; the message is shown to the person importing."""
