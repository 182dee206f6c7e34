package dev.lethe.cli;

import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.events.SampleRecordWriter;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Devices;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.NetworkCodec;
import dev.lethe.daemon.demo.DemoData;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code lethe train}: plays the training pipeline. Trains the model {@code serve} registers as
 * version 1 and, optionally, writes the training and holdout samples as the records the pipeline
 * would put on {@code lethe.samples} — one {@code key<TAB>value} line each, ready for
 * {@code kafka-console-producer --property parse.key=true}.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an initial model (a Lethe artifact) and optionally export its samples as lethe.samples records.")
public class TrainCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, description = "where to write the trained model")
    Path out;

    @Option(names = "--samples-out", description = "write the sample records here (key<TAB>JSON value per line)")
    Path samplesOut;

    @Option(names = "--fashion-mnist-dir", description = "Fashion-MNIST IDX files (default: ${DEFAULT-VALUE})")
    Path fashionDir = FashionMnist.DEFAULT_DIR;

    @Option(names = "--train-size", defaultValue = "2000", description = "training samples (default: ${DEFAULT-VALUE})")
    int trainSize;

    @Option(names = "--holdout-size", defaultValue = "1000", description = "never-trained-on samples exported with split=holdout (default: ${DEFAULT-VALUE})")
    int holdoutSize;

    @Option(names = "--epochs", defaultValue = "60", description = "training epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--architecture", defaultValue = "cnn", description = "cnn | mlp (default: ${DEFAULT-VALUE})")
    String architecture;

    @Option(names = "--seed", defaultValue = "1", description = "seed of data and training (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
        DemoData data = DemoData.prepare(fashionDir, trainSize, holdoutSize, seed, m -> System.err.println("[train] " + m));
        // Training may stop at its target loss before the last epoch: the ETA is then an upper bound.
        Progress progress = Progress.of("train", epochs, "^epoch (\\d+):");
        try (Network network = data.trainInitialModel(Architecture.parse(architecture), Devices.choose("auto"), epochs,
                seed, progress); OutputStream file = Files.newOutputStream(out)) {
            NetworkCodec.write(network, file);
        }
        System.out.println("model: " + out);
        if (samplesOut != null) {
            int n;
            try (BufferedWriter w = Files.newBufferedWriter(samplesOut, StandardCharsets.UTF_8)) {
                n = write(w, data.train(), SampleRecord.TRAIN) + write(w, data.holdout(), SampleRecord.HOLDOUT);
            }
            System.out.printf(Locale.ROOT, "samples: %s (%d records)%n", samplesOut, n);
        }
        return 0;
    }

    private static int write(BufferedWriter w, SampleSet set, String split) throws IOException {
        int n = 0;
        for (Sample s : set.samples()) {
            SampleRecord record = SampleRecord.of(s, split, set.shape());
            w.write(new String(SampleRecordWriter.key(record), StandardCharsets.UTF_8));
            w.write('\t');
            w.write(new String(SampleRecordWriter.encode(record), StandardCharsets.UTF_8));
            w.newLine();
            n++;
        }
        return n;
    }
}
