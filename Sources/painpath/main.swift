import PainPathCLI
PainPathCommand.main()
