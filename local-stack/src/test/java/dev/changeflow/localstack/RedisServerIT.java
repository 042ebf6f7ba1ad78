package dev.changeflow.localstack;

import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.RedisServer;

import org.junit.jupiter.api.Test;

@LocalStackTest(services = Service.REDIS)
class RedisServerIT {

    @Test
    void setAndGet(RedisServer redis) {
        ServerChecks.redisSetAndGet(redis);
    }
}
