package dev.changeflow.jobs.alerts;

import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;

import java.time.Duration;

/**
 * Watermarks of the rules' stream. Activities wait in {@link AttachRules} until the watermark, the
 * lower of the orders' and the rules', passes them. A rules reader holds it back (active, no
 * watermark) until it has read a rule, at most {@code startupHold} from its start (an empty table),
 * so that the first activities meet the rules; from then on it is idle for good and only the
 * orders' watermark counts: a rule version applies from its {@code valid_from} to the activities
 * not yet released. It never turns active again, because a two-input operator whose inputs are both
 * idle does not advance when the last one to turn idle is behind: the orders, idle between bursts,
 * would then never release what they hold.
 */
final class RuleWatermarks implements WatermarkGenerator<RuleChange> {

    private final long holdNanos;
    private final long startNanos = System.nanoTime();
    private boolean seenRule;

    RuleWatermarks(Duration startupHold) {
        this.holdNanos = startupHold.toNanos();
    }

    @Override
    public void onEvent(RuleChange rule, long timestamp, WatermarkOutput output) {
        seenRule = true;
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (seenRule || System.nanoTime() - startNanos >= holdNanos) {
            output.markIdle();
        }
    }
}
