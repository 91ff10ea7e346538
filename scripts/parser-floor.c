/* The parser floor of scripts/bench: libcsv in strict mode over a file, in
 * 1 MiB reads, counting records and fields and nothing else. soalloc can be
 * no faster than this; the bench reports how far above it soalloc runs. */
#include <csv.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static size_t fields, records;

static void field(void *data, size_t length, void *context) { (void)data; (void)length; (void)context; fields++; }
static void record(int terminator, void *context) { (void)terminator; (void)context; records++; }

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: parser-floor FILE\n"); return 64; }
    int descriptor = open(argv[1], O_RDONLY);
    if (descriptor < 0) { perror(argv[1]); return 66; }
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) return 70;
    static char buffer[1 << 20];
    ssize_t got;
    while ((got = read(descriptor, buffer, sizeof buffer)) > 0) {
        if (csv_parse(&parser, buffer, (size_t)got, field, record, NULL) != (size_t)got) {
            fprintf(stderr, "%s: %s\n", argv[1], csv_strerror(csv_error(&parser)));
            return 65;
        }
    }
    if (csv_fini(&parser, field, record, NULL) != 0) { fprintf(stderr, "%s: bad end\n", argv[1]); return 65; }
    csv_free(&parser);
    printf("%zu records, %zu fields\n", records, fields);
    return 0;
}
