"""What the test suites, the benchmarks and the demo share: where things are (`paths`), running
`ansible-playbook` as a user does (`playbook`), simulated routers to run it against
(`simulator`), and reading their tables back (`tables`).

Imported as ``tests.support``: the suites' conftest files and the scripts put the repository
root on ``sys.path`` (see `paths.use_checkout`).
"""
