package dev.lethe.daemon.demo;

import dev.lethe.core.data.BenchmarkSplit;
import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.data.LabelledImages;
import dev.lethe.core.data.Sample;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.data.SyntheticData;
import dev.lethe.core.events.SampleRecord;
import dev.lethe.core.events.SampleRecordWriter;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.SupervisedTraining;
import dev.lethe.core.model.TrainingRecipe;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The data of the demo (and of the daemon's integration tests): training samples owned by data
 * subjects of 5–15 samples, and never-trained-on holdout samples, from real Fashion-MNIST when the
 * Debian package is installed, else from the synthetic generator. Also trains the initial model
 * and publishes samples the way a training pipeline would.
 *
 * @param train    training samples, each with its subject
 * @param holdout  samples the model never sees in training
 * @param realData whether they are Fashion-MNIST
 */
public record DemoData(SampleSet train, SampleSet holdout, boolean realData) {

    /**
     * @param fashionDir where the Fashion-MNIST IDX files are; synthetic data when they are missing
     */
    public static DemoData prepare(Path fashionDir, int trainSize, int holdoutSize, long seed,
            Consumer<String> progress) throws IOException {
        LabelledImages pool;
        boolean real = FashionMnist.isAvailable(fashionDir);
        if (real) {
            pool = FashionMnist.load(fashionDir).train();
        } else {
            progress.accept("Fashion-MNIST is not installed in " + fashionDir + " (apt-get install "
                    + FashionMnist.DEBIAN_PACKAGE + "): using generated images instead");
            pool = SyntheticData.generate(trainSize + holdoutSize + 100, seed);
        }
        // One pool, disjoint draws: holdout images come from the same distribution as training ones.
        BenchmarkSplit split = BenchmarkSplit.ofOnePool(pool, trainSize, 1, 1, 0, holdoutSize, seed);
        return new DemoData(split.train(), split.holdout(), real);
    }

    /** Trains the initial model until it has memorised its training set (the case that needs unlearning). */
    public Network trainInitialModel(Architecture architecture, ai.djl.Device device, int epochs, long seed,
            Consumer<String> progress) {
        Network network = Network.create(architecture, train.shape(), train.numClasses(), device, seed);
        TrainingRecipe recipe = new TrainingRecipe(epochs, 32, 2e-3, 1e-4);
        SupervisedTraining.Summary summary = SupervisedTraining.train(network, train, recipe, seed, progress);
        progress.accept(String.format(java.util.Locale.ROOT, "initial model trained: %d epochs, loss %.4f, %.1f s",
                summary.epochs(), summary.finalLoss(), summary.seconds()));
        return network;
    }

    /** Publishes samples to the samples topic as a training pipeline would; returns how many. */
    public static int publish(Producer<byte[], byte[]> producer, String topic, SampleSet samples, String split) {
        int n = 0;
        for (Sample s : samples.samples()) {
            SampleRecord record = SampleRecord.of(s, split, samples.shape());
            producer.send(new ProducerRecord<>(topic, SampleRecordWriter.key(record), SampleRecordWriter.encode(record)));
            n++;
        }
        producer.flush();
        return n;
    }
}
