/*
 * statecraft-broker: a Kafka-protocol broker for development and tests, hosting librdkafka's
 * in-memory mock cluster (rdkafka_mock.h). Not for production: it keeps nothing on disk, has
 * no admin API and does not isolate transactions.
 *
 *   statecraft-broker --topic events:4 --topic alerts:1 [--broker-count n]
 *                     [--initial-rebalance-delay ms]
 *
 * Prints `BOOTSTRAP=127.0.0.1:PORT` on stdout once the cluster is up, then runs until SIGTERM
 * or SIGINT (or until its parent process dies) and exits 0.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "rdkafka.h"
#include "rdkafka_mock.h"

#define MAX_TOPICS 64
#define LEAVE_GROUP_API_KEY 13

struct topic_spec {
        const char *name;
        int partitions;
};

static void usage(FILE *out) {
        fprintf(out,
                "usage: statecraft-broker --topic name:partitions [--topic ...] "
                "[--broker-count n] [--initial-rebalance-delay ms]\n");
}

/* Parses a decimal integer in [min, max]; returns -1 when `text` is not one. */
static long parse_count(const char *text, long min, long max) {
        char *end;
        long value;
        if (text == NULL || *text == '\0')
                return -1;
        errno = 0;
        value = strtol(text, &end, 10);
        if (errno != 0 || *end != '\0' || value < min || value > max)
                return -1;
        return value;
}

/* Reads `name:partitions` (argv stays as it is, so `ps` shows the command as given). */
static int parse_topic(const char *arg, struct topic_spec *topic) {
        const char *colon = strrchr(arg, ':');
        long partitions;
        if (colon == NULL || colon == arg)
                return -1;
        partitions = parse_count(colon + 1, 1, 100000);
        if (partitions < 0)
                return -1;
        topic->name = strndup(arg, (size_t)(colon - arg));
        topic->partitions = (int)partitions;
        return topic->name == NULL ? -1 : 0;
}

int main(int argc, char **argv) {
        struct topic_spec topics[MAX_TOPICS];
        int topic_count = 0;
        long broker_count = 1;
        long rebalance_delay_ms = 100;
        char errstr[512];
        sigset_t stop_signals;
        int signal_number = 0;
        int i;

        for (i = 1; i < argc; i++) {
                const char *flag = argv[i];
                const char *value = i + 1 < argc ? argv[i + 1] : NULL;
                if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
                        usage(stdout);
                        return 0;
                }
                if (value == NULL) {
                        fprintf(stderr, "statecraft-broker: %s needs a value\n", flag);
                        usage(stderr);
                        return 2;
                }
                i++;
                if (strcmp(flag, "--topic") == 0) {
                        if (topic_count == MAX_TOPICS) {
                                fprintf(stderr, "statecraft-broker: at most %d topics\n",
                                        MAX_TOPICS);
                                return 2;
                        }
                        if (parse_topic(value, &topics[topic_count]) != 0) {
                                fprintf(stderr,
                                        "statecraft-broker: --topic %s is not name:partitions "
                                        "(partitions 1..100000)\n",
                                        value);
                                return 2;
                        }
                        topic_count++;
                } else if (strcmp(flag, "--broker-count") == 0) {
                        broker_count = parse_count(value, 1, 16);
                        if (broker_count < 0) {
                                fprintf(stderr,
                                        "statecraft-broker: --broker-count must be in 1..16, "
                                        "got %s\n",
                                        value);
                                return 2;
                        }
                } else if (strcmp(flag, "--initial-rebalance-delay") == 0) {
                        rebalance_delay_ms = parse_count(value, 0, INT_MAX);
                        if (rebalance_delay_ms < 0) {
                                fprintf(stderr,
                                        "statecraft-broker: --initial-rebalance-delay must be "
                                        "milliseconds >= 0, got %s\n",
                                        value);
                                return 2;
                        }
                } else {
                        fprintf(stderr, "statecraft-broker: unknown option %s\n", flag);
                        usage(stderr);
                        return 2;
                }
        }

#ifdef __linux__
        /* A test runner that dies without stopping us must not leave a broker behind. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
#endif

        /* Block the stop signals before librdkafka starts its threads (they inherit the mask),
         * so that only sigwait below receives them. */
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        if (rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK) {
                fprintf(stderr, "statecraft-broker: %s\n", errstr);
                return 1;
        }
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (rk == NULL) {
                fprintf(stderr, "statecraft-broker: cannot create the client handle: %s\n",
                        errstr);
                return 1;
        }
        rd_kafka_mock_cluster_t *cluster = rd_kafka_mock_cluster_new(rk, (int)broker_count);
        if (cluster == NULL) {
                fprintf(stderr, "statecraft-broker: cannot start the mock cluster\n");
                rd_kafka_destroy(rk);
                return 1;
        }

        rd_kafka_mock_group_initial_rebalance_delay_ms(cluster, (int32_t)rebalance_delay_ms);
        /* LeaveGroup v3+ leaves the member in the group until its session times out. */
        rd_kafka_mock_set_apiversion(cluster, LEAVE_GROUP_API_KEY, 0, 2);

        for (i = 0; i < topic_count; i++) {
                int replication = broker_count < 3 ? (int)broker_count : 3;
                rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
                    cluster, topics[i].name, topics[i].partitions, replication);
                if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                        fprintf(stderr, "statecraft-broker: cannot create topic %s: %s\n",
                                topics[i].name, rd_kafka_err2str(err));
                        rd_kafka_mock_cluster_destroy(cluster);
                        rd_kafka_destroy(rk);
                        return 1;
                }
        }

        printf("BOOTSTRAP=%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
        fflush(stdout);
        fprintf(stderr,
                "statecraft-broker: librdkafka %s mock cluster, %ld broker(s), %d topic(s); "
                "for development only; SIGTERM or Ctrl-C stops it\n",
                rd_kafka_version_str(), broker_count, topic_count);

        while (sigwait(&stop_signals, &signal_number) != 0) {
        }

        rd_kafka_mock_cluster_destroy(cluster);
        rd_kafka_destroy(rk);
        return 0;
}
