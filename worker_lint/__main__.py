from worker_lint.console import main

main()
