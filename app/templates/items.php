<h1>Items</h1>
<?php if ($items === []): ?>
<p id="no-items">No items yet.</p>
<?php else: ?>
<table id="items">
<tr><th>Name</th><th>Quantity</th><th>Store</th><th></th></tr>
<?php foreach ($items as $item): ?>
<tr>
<td><?= $e($item['name']) ?></td>
<td><?= $e($item['quantity']) ?></td>
<td><?= $e($item['store']) ?></td>
<td><a href="/items/<?= $e($item['id']) ?>/edit">Edit</a>
<form method="post" action="/items/<?= $e($item['id']) ?>/delete"><input type="hidden" name="<?= $e($csrfField) ?>" value="<?= $e($csrfToken) ?>"><input type="hidden" name="version" value="<?= $e($item['version']) ?>"><button>Delete</button></form></td>
</tr>
<?php endforeach ?>
</table>
<?php endif ?>
<?php if ($page > 1 || $hasNextPage): ?>
<nav id="pages">
<?php if ($page > 1): ?><a href="/?page=<?= $e($page - 1) ?>" rel="prev">Previous</a><?php endif ?>
Page <?= $e($page) ?>
<?php if ($hasNextPage): ?><a href="/?page=<?= $e($page + 1) ?>" rel="next">Next</a><?php endif ?>
</nav>
<?php endif ?>
<h2>Add an item</h2>
<form method="post" action="/items">
<?php unset($item); require __DIR__ . '/item-fields.php' ?>
<button>Add</button>
</form>
