package dev.lethe.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine;

@TopCommand
@CommandLine.Command(name = "lethe", mixinStandardHelpOptions = true, subcommands = {ServeCommand.class, DemoCommand.class, TrainCommand.class, BenchCommand.class, PerfCommand.class,
        AuditCommand.class, GateCalibrationCommand.class})
public class LetheCommand {
}
