"""The chain model: one typed graph of links from job lines to Python classes.

``build_project_model(project)`` resolves every training path of a project
(job line -> script -> main config -> composed defaults -> arch config ->
model / loss / evaluator classes and ``_target_`` paths) into
:class:`~trainpath.chain.model.Chain` objects, and collects every link in a
:class:`~trainpath.chain.model.Graph` that answers both "what does this link
lead to" and "what leads here".  The CLI and the language server ask it
questions; rules turn its facts into findings.
"""
