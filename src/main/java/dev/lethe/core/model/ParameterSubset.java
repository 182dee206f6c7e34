package dev.lethe.core.model;

import dev.lethe.core.model.Network.ParameterSlice;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A selection of a network's parameter tensors, for unlearning only part of a model (for example
 * its last layers): per-sample gradients and projections are then taken over the selected tensors
 * only, so the B×P matrix shrinks to B×P_selected.
 *
 * <p>Vectors over the subset ("compact" vectors) hold the selected tensors back to back, in layout
 * order; {@link #compactLayout()} describes them. {@link #gather} and {@link #scatter} convert
 * between full and compact vectors.
 */
public final class ParameterSubset {

    private final String pattern;
    private final int fullSize;
    private final List<ParameterSlice> full;
    private final List<ParameterSlice> compact;
    private final boolean[] selected;
    private final int size;

    private ParameterSubset(String pattern, List<ParameterSlice> layout, boolean[] selected) {
        this.pattern = pattern;
        this.selected = selected.clone();
        List<ParameterSlice> f = new ArrayList<>();
        List<ParameterSlice> c = new ArrayList<>();
        int offset = 0;
        int total = 0;
        for (int t = 0; t < layout.size(); t++) {
            ParameterSlice s = layout.get(t);
            total += s.size();
            if (selected[t]) {
                f.add(s);
                c.add(new ParameterSlice(s.name(), offset, s.size()));
                offset += s.size();
            }
        }
        this.fullSize = total;
        this.full = List.copyOf(f);
        this.compact = List.copyOf(c);
        this.size = offset;
    }

    /** Every tensor of the layout. */
    public static ParameterSubset all(List<ParameterSlice> layout) {
        boolean[] all = new boolean[layout.size()];
        java.util.Arrays.fill(all, true);
        return new ParameterSubset(null, layout, all);
    }

    /**
     * The tensors whose names contain a match of {@code regex} (e.g. {@code Linear} or
     * {@code 0[89]Linear}); null or blank selects all.
     *
     * @throws IllegalArgumentException if the pattern is invalid or selects no tensor (the message
     *                                  lists the names)
     */
    public static ParameterSubset matching(List<ParameterSlice> layout, String regex) {
        if (regex == null || regex.isBlank()) {
            return all(layout);
        }
        Pattern p;
        try {
            p = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid parameter pattern '" + regex + "': " + e.getDescription(), e);
        }
        boolean[] selected = new boolean[layout.size()];
        boolean any = false;
        for (int t = 0; t < layout.size(); t++) {
            selected[t] = p.matcher(layout.get(t).name()).find();
            any |= selected[t];
        }
        if (!any) {
            throw new IllegalArgumentException("parameter pattern '" + regex + "' matches none of "
                    + layout.stream().map(ParameterSlice::name).toList());
        }
        return new ParameterSubset(regex, layout, selected);
    }

    /** The pattern given, or null when everything is selected by default. */
    public String pattern() {
        return pattern;
    }

    /** Whether tensor {@code t} (index in the network's layout) is selected. */
    public boolean isSelected(int t) {
        return selected[t];
    }

    public boolean isAll() {
        for (boolean s : selected) {
            if (!s) {
                return false;
            }
        }
        return true;
    }

    /** Number of selected parameters, P_selected. */
    public int size() {
        return size;
    }

    /** Number of parameters of the whole network. */
    public int fullSize() {
        return fullSize;
    }

    /** The selected tensors with their offsets in the full vector. */
    public List<ParameterSlice> fullLayout() {
        return full;
    }

    /** The selected tensors with their offsets in a compact vector. */
    public List<ParameterSlice> compactLayout() {
        return compact;
    }

    /** The selected coordinates of a full vector, as a compact vector. */
    public float[] gather(float[] fullVector) {
        if (fullVector.length != fullSize) {
            throw new IllegalArgumentException("vector has " + fullVector.length + " entries, expected " + fullSize);
        }
        float[] out = new float[size];
        for (int i = 0; i < full.size(); i++) {
            System.arraycopy(fullVector, full.get(i).offset(), out, compact.get(i).offset(), full.get(i).size());
        }
        return out;
    }

    /** A full vector holding a compact vector's values at the selected coordinates and zero elsewhere. */
    public float[] scatter(float[] compactVector) {
        if (compactVector.length != size) {
            throw new IllegalArgumentException("vector has " + compactVector.length + " entries, expected " + size);
        }
        float[] out = new float[fullSize];
        for (int i = 0; i < full.size(); i++) {
            System.arraycopy(compactVector, compact.get(i).offset(), out, full.get(i).offset(), full.get(i).size());
        }
        return out;
    }

    /** Selected names, for reports. */
    public List<String> names() {
        return full.stream().map(ParameterSlice::name).toList();
    }

    @Override
    public String toString() {
        return (pattern == null ? "all" : "'" + pattern + "'") + " (" + size + " of " + fullSize + " parameters)";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParameterSubset s && s.fullSize == fullSize && java.util.Arrays.equals(s.selected, selected)
                && Objects.equals(s.pattern, pattern);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(selected);
    }
}
