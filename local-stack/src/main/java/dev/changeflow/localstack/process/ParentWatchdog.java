package dev.changeflow.localstack.process;

import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Entry point of every child JVM the stack starts: {@code ParentWatchdog <parentPid> <mainClass>
 * [args]}. It runs {@code mainClass} and halts this JVM as soon as the parent process is gone, so
 * that a killed {@code changeflow stack up} or test JVM never leaves servers behind.
 */
public final class ParentWatchdog {

    private ParentWatchdog() {}

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ParentWatchdog <parentPid> <mainClass> [args...]");
            System.exit(2);
        }
        long parentPid = Long.parseLong(args[0]);
        ProcessHandle.of(parentPid)
                .ifPresentOrElse(
                        parent ->
                                parent.onExit()
                                        .thenRun(
                                                () -> {
                                                    System.err.println(
                                                            "parent process "
                                                                    + parentPid
                                                                    + " exited, stopping");
                                                    Runtime.getRuntime().halt(143);
                                                }),
                        () -> Runtime.getRuntime().halt(143));
        Method main = Class.forName(args[1]).getMethod("main", String[].class);
        main.invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
    }
}
