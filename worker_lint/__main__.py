from worker_lint.cli import main

main()
