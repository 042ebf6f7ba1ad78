package dev.changeflow.jobs.sinks;

import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.io.DelegatingSeekableInputStream;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Reads Parquet files held as bytes (fetched from S3 or a local file), without Hadoop's FS. */
public final class ParquetFiles {

    private ParquetFiles() {}

    /**
     * The committed part files under {@code root}, recursively (Flink's in-progress and pending
     * files start with a dot, markers with an underscore); none if {@code root} does not exist.
     */
    public static List<Path> committedFiles(Path root) throws IOException {
        FileSystem fs = root.getFileSystem();
        List<Path> files = new ArrayList<>();
        if (fs.exists(root)) {
            collect(fs, root, files);
        }
        return files;
    }

    /** The committed Parquet files under {@code root} and the rows they hold: {files, rows}. */
    public static long[] filesAndRows(Path root) throws IOException {
        long[] totals = new long[2];
        for (Path file : committedFiles(root)) {
            totals[0]++;
            for (var block : footer(bytes(file)).getBlocks()) {
                totals[1] += block.getRowCount();
            }
        }
        return totals;
    }

    /** The bytes of {@code file} (Parquet files are read whole, from S3 or a local disk). */
    public static byte[] bytes(Path file) throws IOException {
        try (InputStream in = file.getFileSystem().open(file)) {
            return in.readAllBytes();
        }
    }

    private static void collect(FileSystem fs, Path dir, List<Path> files) throws IOException {
        for (FileStatus status : fs.listStatus(dir)) {
            String name = status.getPath().getName();
            if (status.isDir()) {
                collect(fs, status.getPath(), files);
            } else if (!name.startsWith("_") && !name.startsWith(".")) {
                files.add(status.getPath());
            }
        }
    }

    /** Every record of a Parquet file, as Avro generic records. */
    public static List<GenericRecord> read(byte[] file) throws IOException {
        List<GenericRecord> records = new ArrayList<>();
        try (ParquetReader<GenericRecord> reader =
                AvroParquetReader.<GenericRecord>builder(new BytesInputFile(file))
                        .withDataModel(GenericData.get())
                        .build()) {
            for (GenericRecord record = reader.read(); record != null; record = reader.read()) {
                records.add(record);
            }
        }
        return records;
    }

    /** The file's footer: schema, row groups, compression. */
    public static ParquetMetadata footer(byte[] file) throws IOException {
        try (ParquetFileReader reader = ParquetFileReader.open(new BytesInputFile(file))) {
            return reader.getFooter();
        }
    }

    private static final class BytesInputFile implements InputFile {
        private final byte[] bytes;

        BytesInputFile(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public long getLength() {
            return bytes.length;
        }

        @Override
        public SeekableInputStream newStream() {
            SeekableBytes in = new SeekableBytes(bytes);
            return new DelegatingSeekableInputStream(in) {
                @Override
                public long getPos() {
                    return in.position();
                }

                @Override
                public void seek(long newPos) {
                    in.seek(newPos);
                }
            };
        }
    }

    private static final class SeekableBytes extends ByteArrayInputStream {
        SeekableBytes(byte[] bytes) {
            super(bytes);
        }

        long position() {
            return pos;
        }

        void seek(long position) {
            if (position < 0 || position > count) {
                throw new IllegalArgumentException("seek to " + position + " of " + count);
            }
            pos = (int) position;
        }
    }
}
