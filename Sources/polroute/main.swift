// The command-line entry point is written with the CLI target; this file only starts it.
print("polroute: the command-line interface is not built yet")
