/* io_probe: the tests' eye on io_server: one request's status and body, or a port nothing listens on. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    (void)arg;
    return fwrite(data, size, n, stdout);
}

/* Binds a loopback port, reads its number, closes it: for a short while
 * nothing listens there, so a connect is refused. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("io_probe: --closed-port");
        return 1;
    }
    close(fd);
    printf("%u\n", ntohs(a.sin_port));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--closed-port") == 0)
        return closed_port();
    if (argc != 2) {
        fprintf(stderr, "usage: io_probe URL | io_probe --closed-port\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_ALL);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, argv[1]);
    curl_easy_setopt(c, CURLOPT_PROXY, "");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    CURLcode code = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    fflush(stdout);
    printf("\nstatus %ld\n", status);
    if (code != CURLE_OK)
        fprintf(stderr, "io_probe: '%s': %s\n", argv[1], curl_easy_strerror(code));
    curl_easy_cleanup(c);
    curl_global_cleanup();
    return code == CURLE_OK ? 0 : 1;
}
