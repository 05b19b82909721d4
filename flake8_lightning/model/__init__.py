"""The project model: astroid modules, name resolution and Lightning facts.

Rules ask the model questions; they never walk hierarchies, parse what a hook
returns or resolve which model a Trainer fits themselves. A fact that may be
unknown answers ``unknown.UNKNOWN`` (the rules stay silent).

``loading``    source text -> astroid module, heavy packages denylisted, no inference while building
``project``    the project's root, source roots and files, each parsed once per process, facts keyed by content
``pins``       where a project's pins may live (the files version inference reads, the folders it climbs)
``budget``     memoised answers within depth and work budgets; past them: unknown
``unknown``    the one typed ``UNKNOWN`` every fact answers when it cannot know
``names``      what a name refers to, through the project's own files only
``lightning``  ``Facts`` per class: hierarchy, optimization mode (``certainly_automatic``),
               attribute values, subclasses, trainers and model classes; ``Enclosing``/``MethodCall``
``optimizers`` raw optimizer vs Lightning's ``LightningOptimizer`` wrapper; what
               ``configure_optimizers`` returns (optimizers, schedulers, ``ReduceLROnPlateau``)
``training``   which LightningModules the Trainer built at some place fits (what a callback applies to)
``automatic``  what ``training_step`` does to gradients under automatic optimization
``metrics``    the names ``self.log``/``log_dict`` can produce (literal names, ``NamePattern``s, logger-only)
``callbacks``  ``ModelCheckpoint``/``EarlyStopping`` monitor sites
``hooks``      which methods run inside ``training_step`` and the other hooks
``version``    which Lightning major version a project targets
"""
