"""The project model: astroid modules, name resolution and Lightning facts.

``loading``    source text -> astroid module, heavy packages denylisted
``project``    the project's folders and files, each parsed once per process
``names``      what a name refers to, through the project's own files only
``lightning``  facts per class: hierarchy, optimization mode, attributes, subclasses
``optimizers`` raw optimizer vs Lightning's ``LightningOptimizer`` wrapper
``metrics``    the names ``self.log``/``log_dict`` can produce (exact, patterns, logger-only)
``callbacks``  ``ModelCheckpoint``/``EarlyStopping`` monitor sites
``hooks``      which methods run inside ``training_step`` and the other hooks
``version``    which Lightning major version a project targets
"""
