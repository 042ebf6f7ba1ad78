package dev.changeflow.cdc.query.enumerator;

import dev.changeflow.cdc.query.split.TableSplit;

import javax.annotation.Nullable;

import java.util.List;
import java.util.Set;

/**
 * The query source enumerator's checkpoint.
 *
 * @param pending the splits not assigned to a reader yet (once assigned, a split's position lives
 *     in its reader's state)
 * @param tables every table a split was ever made for, so that a job restored with more tables
 *     makes splits for the new ones only; null in checkpoints written before the set was kept
 *     (version 1), where no table counts as new
 */
public record QueryEnumeratorState(List<TableSplit> pending, @Nullable Set<String> tables) {}
