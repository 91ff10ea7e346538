/* The I/O floor of scripts/bench: the least any tool could take to do
 * soalloc's job on this machine. It reads an individualised file with libcsv
 * in strict mode (1 MiB reads, counting records and fields), then writes the
 * bytes a soalloc run wrote for that file (copied, before the clock starts,
 * from the run's output folder) into a fresh folder, 256 KiB at a time, and
 * computes each file's SHA-256, as soalloc does for run.json; with --fsync it
 * syncs each file to disk before closing it, as soalloc does before moving its
 * outputs into place. It prints the seconds from the first read to the last
 * write, the bytes read and written, and the records read.
 *
 *     io-floor INPUT RUN-FOLDER FRESH-FOLDER [--fsync]
 */
#include <csv.h>
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static size_t fields, records;

static void field(void *data, size_t length, void *context) { (void)data; (void)length; (void)context; fields++; }
static void record(int terminator, void *context) { (void)terminator; (void)context; records++; }

struct output { char name[256]; unsigned char *bytes; size_t size; };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int load(const char *folder, struct output **outputs, size_t *count) {
    DIR *directory = opendir(folder);
    if (!directory) { perror(folder); return 66; }
    struct dirent *entry;
    size_t capacity = 32;
    *outputs = calloc(capacity, sizeof **outputs);
    *count = 0;
    while ((entry = readdir(directory))) {
        char path[4096];
        struct stat info;
        snprintf(path, sizeof path, "%s/%s", folder, entry->d_name);
        if (stat(path, &info) != 0 || !S_ISREG(info.st_mode)) continue;
        if (*count == capacity) { capacity *= 2; *outputs = realloc(*outputs, capacity * sizeof **outputs); }
        struct output *output = &(*outputs)[(*count)++];
        snprintf(output->name, sizeof output->name, "%s", entry->d_name);
        output->size = (size_t)info.st_size;
        output->bytes = malloc(output->size ? output->size : 1);
        int descriptor = open(path, O_RDONLY);
        size_t done = 0;
        while (descriptor >= 0 && done < output->size) {
            ssize_t got = read(descriptor, output->bytes + done, output->size - done);
            if (got <= 0) break;
            done += (size_t)got;
        }
        if (descriptor >= 0) close(descriptor);
        if (done != output->size) { fprintf(stderr, "%s: cannot read\n", path); return 66; }
    }
    closedir(directory);
    return 0;
}

int main(int argc, char **argv) {
    int sync = argc == 5 && strcmp(argv[4], "--fsync") == 0;
    if (argc != 4 && !sync) { fprintf(stderr, "usage: io-floor INPUT RUN-FOLDER FRESH-FOLDER [--fsync]\n"); return 64; }
    struct output *outputs;
    size_t count;
    int status = load(argv[2], &outputs, &count);
    if (status) return status;
    static char buffer[1 << 20];
    double start = now();

    int descriptor = open(argv[1], O_RDONLY);
    if (descriptor < 0) { perror(argv[1]); return 66; }
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) return 70;
    ssize_t got;
    size_t read_bytes = 0;
    while ((got = read(descriptor, buffer, sizeof buffer)) > 0) {
        read_bytes += (size_t)got;
        if (csv_parse(&parser, buffer, (size_t)got, field, record, NULL) != (size_t)got) {
            fprintf(stderr, "%s: %s\n", argv[1], csv_strerror(csv_error(&parser)));
            return 65;
        }
    }
    if (csv_fini(&parser, field, record, NULL) != 0) { fprintf(stderr, "%s: bad end\n", argv[1]); return 65; }
    csv_free(&parser);
    close(descriptor);

    if (mkdir(argv[3], 0755) != 0) { perror(argv[3]); return 73; }
    size_t written = 0;
    for (size_t index = 0; index < count; index++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[3], outputs[index].name);
        int out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0) { perror(path); return 73; }
        EVP_MD_CTX *hash = EVP_MD_CTX_new();
        EVP_DigestInit_ex(hash, EVP_sha256(), NULL);
        for (size_t done = 0; done < outputs[index].size;) {
            size_t chunk = outputs[index].size - done < (1 << 18) ? outputs[index].size - done : (1 << 18);
            EVP_DigestUpdate(hash, outputs[index].bytes + done, chunk);
            ssize_t put = write(out, outputs[index].bytes + done, chunk);
            if (put <= 0) { perror(path); return 74; }
            done += (size_t)put;
        }
        unsigned char digest[32];
        EVP_DigestFinal_ex(hash, digest, NULL);
        EVP_MD_CTX_free(hash);
        if (sync && fsync(out) != 0) { perror(path); return 74; }
        close(out);
        written += outputs[index].size;
    }
    printf("%.3f %zu %zu %zu\n", now() - start, read_bytes, written, records);
    return 0;
}
