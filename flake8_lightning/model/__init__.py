"""The project model: astroid modules, name resolution and Lightning facts.

``loading``   source text -> astroid module, heavy packages denylisted
``project``   the project's folders and files, each parsed once per process
``names``     what a name refers to, through the project's own files only
``lightning`` facts per class: hierarchy, optimization mode, attributes
"""
