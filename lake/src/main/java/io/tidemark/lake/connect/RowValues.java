package io.tidemark.lake.connect;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One archive row as the schemaless map Iceberg's sink converts: column names and values in two
 * arrays, in the order they were added. The sink reads a row once, with {@link #forEach}, which
 * here walks the filled slots instead of a hash table of mostly empty buckets; a row is built and
 * read once per record, so a {@code HashMap}'s table and entry objects were pure overhead.
 *
 * <p>Read-only for its readers ({@link #put} is not supported). {@link #add} does not look for an
 * existing column: {@link RowMapper} adds every column at most once.
 */
final class RowValues extends AbstractMap<String, Object> {
  private String[] names;
  private Object[] values;
  private int size;

  RowValues(int expectedColumns) {
    names = new String[expectedColumns];
    values = new Object[expectedColumns];
  }

  /** Adds a column that is not in the row yet; a null value is left out. */
  void add(String column, Object value) {
    if (value == null) {
      return;
    }
    if (size == names.length) {
      names = Arrays.copyOf(names, size * 2 + 1);
      values = Arrays.copyOf(values, size * 2 + 1);
    }
    names[size] = column;
    values[size] = value;
    size++;
  }

  @Override
  public void forEach(BiConsumer<? super String, ? super Object> action) {
    for (int i = 0; i < size; i++) {
      action.accept(names[i], values[i]);
    }
  }

  @Override
  public Object get(Object column) {
    int i = indexOf(column);
    return i < 0 ? null : values[i];
  }

  @Override
  public boolean containsKey(Object column) {
    return indexOf(column) >= 0;
  }

  @Override
  public int size() {
    return size;
  }

  private int indexOf(Object column) {
    for (int i = 0; i < size; i++) {
      if (names[i].equals(column)) {
        return i;
      }
    }
    return -1;
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Object>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < size;
          }

          @Override
          public Entry<String, Object> next() {
            if (next >= size) {
              throw new NoSuchElementException();
            }
            int i = next++;
            return new SimpleImmutableEntry<>(names[i], values[i]);
          }
        };
      }

      @Override
      public int size() {
        return size;
      }
    };
  }
}
