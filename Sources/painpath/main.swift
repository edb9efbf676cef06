import PainPathCLI

PainPathCommand.main()
