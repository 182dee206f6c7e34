package dev.lethe.core.model;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;

import java.util.List;
import java.util.Locale;

/**
 * The built-in model architectures. No batch normalisation and no dropout: per-sample gradients
 * must not depend on the other samples of a batch, and memorisation is what makes membership
 * measurable.
 */
public enum Architecture {

    /** Two hidden layers of 256 and 128 units (235,146 parameters on 28×28 inputs). */
    MLP {
        @Override
        public List<Layer> layers(int numClasses) {
            return List.of(new Layer.Flatten(), new Layer.Dense(256), new Layer.Relu(),
                    new Layer.Dense(128), new Layer.Relu(), new Layer.Dense(numClasses));
        }
    },

    /** Two 5×5 convolutions (16, 32 filters) with max pooling and a 64-unit dense layer (46,730 parameters). */
    CNN {
        @Override
        public List<Layer> layers(int numClasses) {
            return List.of(new Layer.Conv(16, 5), new Layer.Relu(), new Layer.MaxPool(2),
                    new Layer.Conv(32, 5), new Layer.Relu(), new Layer.MaxPool(2),
                    new Layer.Flatten(), new Layer.Dense(64), new Layer.Relu(), new Layer.Dense(numClasses));
        }
    },

    /**
     * The small CNN of the team guide's measurements: two 3×3 convolutions (8, 16 filters) with max
     * pooling and a 64-unit dense layer (27,562 parameters on 28×28 inputs).
     */
    CNN_SMALL {
        @Override
        public List<Layer> layers(int numClasses) {
            return List.of(new Layer.Conv(8, 3), new Layer.Relu(), new Layer.MaxPool(2),
                    new Layer.Conv(16, 3), new Layer.Relu(), new Layer.MaxPool(2),
                    new Layer.Flatten(), new Layer.Dense(64), new Layer.Relu(), new Layer.Dense(numClasses));
        }
    },

    /** A wide MLP, 512 and 40 hidden units (422,850 parameters on 28×28 inputs). */
    MLP_WIDE {
        @Override
        public List<Layer> layers(int numClasses) {
            return List.of(new Layer.Flatten(), new Layer.Dense(512), new Layer.Relu(),
                    new Layer.Dense(40), new Layer.Relu(), new Layer.Dense(numClasses));
        }
    };

    /** The layer sequence, ending in {@code numClasses} logits. */
    public abstract List<Layer> layers(int numClasses);

    /** The DJL block for {@link #layers}. */
    public Block build(int numClasses) {
        return build(layers(numClasses));
    }

    /** The DJL block for a layer sequence. */
    static Block build(List<Layer> layers) {
        SequentialBlock block = new SequentialBlock();
        for (Layer layer : layers) {
            if (layer instanceof Layer.Conv c) {
                block.add(Conv2d.builder().setKernelShape(new Shape(c.kernel(), c.kernel()))
                        .setFilters(c.filters()).build());
            } else if (layer instanceof Layer.Dense d) {
                block.add(Linear.builder().setUnits(d.units()).build());
            } else if (layer instanceof Layer.Relu) {
                block.add(Activation::relu);
            } else if (layer instanceof Layer.MaxPool p) {
                block.add(Pool.maxPool2dBlock(new Shape(p.size(), p.size()), new Shape(p.size(), p.size())));
            } else if (layer instanceof Layer.Flatten) {
                block.add(Blocks.batchFlattenBlock());
            }
        }
        return block;
    }

    /** The name used on the command line and in reports: {@code cnn}, {@code cnn-small}, … */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Architecture parse(String name) {
        return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
