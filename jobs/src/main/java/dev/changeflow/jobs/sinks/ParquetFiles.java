package dev.changeflow.jobs.sinks;

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
import java.util.ArrayList;
import java.util.List;

/** Reads Parquet files held as bytes (fetched from S3 or a local file), without Hadoop's FS. */
public final class ParquetFiles {

    private ParquetFiles() {}

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
