package io.mlpstream.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * A container that applies its modules in order, as PyTorch's nn.Sequential: forward runs them first
 * to last, backward last to first. It computes nothing of its own.
 */
public final class Sequential implements Module {
    private final List<Module> modules;
    private final List<Parameter> parameters = new ArrayList<>();

    public Sequential(List<Module> modules) {
        this.modules = List.copyOf(modules);
        for (Module m : this.modules) {
            parameters.addAll(m.parameters());
        }
    }

    public Sequential(Module... modules) {
        this(List.of(modules));
    }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : modules) {
            x = m.forward(x);
        }
        return x;
    }

    /** Returns dLoss/dInput, or null when the first module does not compute it. */
    @Override
    public Tensor backward(Tensor gradOutput) {
        Tensor grad = gradOutput;
        for (int i = modules.size() - 1; i >= 0 && grad != null; i--) {
            grad = modules.get(i).backward(grad);
        }
        return grad;
    }

    @Override
    public List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public void train(boolean training) {
        for (Module m : modules) {
            m.train(training);
        }
    }

    /** The modules in order, as PyTorch's model.children(). */
    public List<Module> modules() {
        return modules;
    }

    @Override
    public Sequential replica() {
        List<Module> copies = new ArrayList<>();
        for (Module m : modules) {
            copies.add(m.replica());
        }
        return new Sequential(copies);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Sequential(\n");
        for (int i = 0; i < modules.size(); i++) {
            s.append("  (").append(i).append("): ").append(modules.get(i)).append('\n');
        }
        return s.append(')').toString();
    }
}
