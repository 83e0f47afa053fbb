/// The command-line layer: argument parsing, help, output and exit codes.
enum PolrouteCLI {}
