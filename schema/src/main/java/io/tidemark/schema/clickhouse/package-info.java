/**
 * ClickHouse access shared by every layer ({@link io.tidemark.schema.clickhouse.ClickHouseClients},
 * {@link io.tidemark.schema.clickhouse.ClickHouseSql}), all of Tidemark's DDL ({@link
 * io.tidemark.schema.clickhouse.ClickHouseSchema}) with its versioned migrations, and the day
 * replacement reconciliation relies on ({@link io.tidemark.schema.clickhouse.PartitionReplacer}).
 * Everything here works on ClickHouse 18.16 and on current ClickHouse.
 */
package io.tidemark.schema.clickhouse;
