package io.mlpstream.learn;

/**
 * What it takes to resume training exactly, as nanoGPT's checkpoint dict: the learner (its weights,
 * its optimizer's state and settings, its architecture), the step count, and the trainer's counts
 * (examples trained and predicted, the prequential counts) and its batch size, which PATCH may have changed. Where the input stream resumes is the
 * adapter's business; {@link CheckpointCodec} carries it beside the checkpoint.
 */
public record Checkpoint(Learner learner, long step, long examplesTrained, long examplesPredicted,
                         long prequentialSeen, long prequentialCorrect, int batchSize) {

    /** A checkpoint of a learner alone, without a trainer's counts or batch size (0: the configured one). */
    public static Checkpoint of(Learner learner, long step) {
        return new Checkpoint(learner, step, 0, 0, 0, 0, 0);
    }
}
