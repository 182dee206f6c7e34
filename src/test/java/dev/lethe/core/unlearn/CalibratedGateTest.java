package dev.lethe.core.unlearn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.lethe.core.data.FashionMnist;
import dev.lethe.core.data.LabelledImages;
import dev.lethe.core.data.SampleSet;
import dev.lethe.core.data.Subjects;
import dev.lethe.core.model.Architecture;
import dev.lethe.core.model.Network;
import dev.lethe.core.model.SupervisedTraining;
import dev.lethe.core.model.TrainingRecipe;
import dev.lethe.core.verify.AttackResult;
import dev.lethe.core.verify.MembershipGate;
import dev.lethe.core.verify.MembershipInference;
import dev.lethe.core.verify.Rmia;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The calibrated gate on a real CNN that memorised 1,000 real Fashion-MNIST images: it must refuse
 * the model as it is (nothing unlearned) at 200 forgotten samples, pass a model retrained without
 * them, and its attacks must read one half on two sets of non-members.
 */
class CalibratedGateTest {

    private static final TrainingRecipe RECIPE = TrainingRecipe.defaults();
    private static SampleSet train;
    private static SampleSet forget;
    private static SampleSet remaining;
    private static SampleSet holdout;
    private static Network original;

    @BeforeAll
    static void trainTheOriginal() throws IOException {
        Assumptions.assumeTrue(FashionMnist.isAvailable(FashionMnist.DEFAULT_DIR),
                "real Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        FashionMnist data = FashionMnist.load(FashionMnist.DEFAULT_DIR);
        train = Subjects.assign(head(data.train(), 1000), "fm", 5, 15, 21);
        holdout = Subjects.assign(head(data.test(), 800), "fmt", 5, 15, 22);
        forget = train.first(200);
        Set<String> ids = forget.samples().stream().map(s -> s.sampleId()).collect(Collectors.toSet());
        remaining = train.filter(s -> !ids.contains(s.sampleId()));
        original = Network.create(Architecture.CNN, train.shape(), train.numClasses(), Device.cpu(), 21);
        SupervisedTraining.train(original, train, RECIPE, 21, null);
    }

    @AfterAll
    static void close() {
        if (original != null) {
            original.close();
        }
    }

    private static VerifiedUnlearning gate(Unlearner unlearner) {
        return new VerifiedUnlearning(unlearner, VerifiedUnlearning.Gate.calibrated(0.05, 0.05, 1.96,
                Rmia.Settings.defaults()));
    }

    /** An unlearner that changes nothing: what the issue measured slipping through. */
    private static final Unlearner NOTHING = new Unlearner() {
        @Override
        public String name() {
            return "nothing";
        }

        @Override
        public UnlearningResult unlearn(Network network, UnlearningTask task, StepObserver observer) {
            return new UnlearningResult(name(), 0, "no-op", 0, null);
        }
    };

    @Test
    void aMemorisedModelThatUnlearnedNothingIsRefusedAtTwoHundredSamples() {
        VerifiedUnlearning.Outcome o = gate(NOTHING).run(original, forget, remaining.first(500), holdout, 7);
        try {
            assertThat(o.status()).as(o.reason()).isEqualTo(MembershipGate.Status.FAILED);
            assertThat(o.passed()).isFalse();
            MembershipGate.Check rmia = o.checks().get(1);
            assertThat(rmia.attack()).isEqualTo("rmia");
            assertThat(rmia.evidence()).as("RMIA %.3f vs threshold %.3f", rmia.before(), rmia.threshold()).isTrue();
            assertThat(o.reason()).contains("rmia attack AUC");
            assertThat(o.verification().approximate()).isTrue();
            assertThat(o.verification().verdict()).isEqualTo("failed");
        } finally {
            o.unlearned().close();
        }
    }

    @Test
    void aModelRetrainedWithoutTheForgetSetPasses() {
        Retrain retrain = new Retrain(remaining, RECIPE, 22, null);
        VerifiedUnlearning.Outcome o = gate(retrain).run(original, forget, remaining.first(500), holdout, 7);
        try {
            assertThat(o.status()).as(o.reason()).isEqualTo(MembershipGate.Status.PASSED);
            assertThat(o.checks()).extracting(MembershipGate.Check::attack).containsExactly("loss", "rmia");
            assertThat(o.verification().approximate()).as("a retrain is exact").isFalse();
        } finally {
            o.unlearned().close();
        }
    }

    @Test
    void bothAttacksReadOneHalfOnTwoDisjointSetsOfNonMembers() {
        // References train on training data only; the null draws come from the unseen test images.
        try (Rmia rmia = Rmia.train(original, remaining.first(500), Rmia.Settings.defaults(), 3)) {
            double[][] refs = rmia.referenceProbabilities(holdout);
            double[] losses = original.predict(holdout).losses();
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < holdout.size(); i++) {
                order.add(i);
            }
            Random random = new Random(5);
            double rmiaSum = 0;
            double lossSum = 0;
            int draws = 200;
            for (int d = 0; d < draws; d++) {
                Collections.shuffle(order, random);
                int[] a = order.subList(0, 100).stream().mapToInt(Integer::intValue).toArray();
                int[] b = order.subList(100, 400).stream().mapToInt(Integer::intValue).toArray();
                AttackResult r = rmia.attack(pick(losses, a), pick(refs, a), pick(losses, b), pick(refs, b));
                rmiaSum += r.auc();
                lossSum += MembershipInference.lossAttack(pick(losses, a), pick(losses, b)).auc();
            }
            assertThat(rmiaSum / draws).as("RMIA on null draws").isBetween(0.48, 0.52);
            assertThat(lossSum / draws).as("loss attack on null draws").isBetween(0.48, 0.52);
        }
    }

    private static double[] pick(double[] v, int[] idx) {
        return Arrays.stream(idx).mapToDouble(i -> v[i]).toArray();
    }

    private static double[][] pick(double[][] v, int[] idx) {
        return Arrays.stream(idx).mapToObj(i -> v[i]).toArray(double[][]::new);
    }

    private static LabelledImages head(LabelledImages images, int n) {
        return new LabelledImages(Arrays.copyOf(images.images(), n), Arrays.copyOf(images.labels(), n),
                images.shape(), images.numClasses());
    }
}
