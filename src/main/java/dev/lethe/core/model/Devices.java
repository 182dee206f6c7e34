package dev.lethe.core.model;

import ai.djl.Device;
import ai.djl.engine.Engine;

/** Chooses where tensors live: the first GPU when the PyTorch engine reports one, else the CPU. */
public final class Devices {

    public static final String ENGINE = "PyTorch";

    private Devices() {
    }

    /**
     * @param preference "auto", "cpu" or "gpu" (case-insensitive); "gpu" fails when none is present
     */
    public static Device choose(String preference) {
        Engine engine = Engine.getEngine(ENGINE);
        String p = preference == null ? "auto" : preference.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (p) {
            case "cpu" -> Device.cpu();
            case "gpu" -> {
                if (engine.getGpuCount() == 0) {
                    throw new IllegalStateException("device=gpu asked for, but the " + ENGINE
                            + " engine reports no GPU");
                }
                yield Device.gpu();
            }
            case "auto" -> engine.getGpuCount() > 0 ? Device.gpu() : Device.cpu();
            default -> throw new IllegalArgumentException("device must be auto, cpu or gpu, was " + preference);
        };
    }

    public static String describe(Device device) {
        return device.isGpu() ? "gpu:" + device.getDeviceId() : "cpu";
    }
}
