<h1>Edit <?= $e($item['name']) ?></h1>
<form method="post" action="/items/<?= $e($item['id']) ?>">
<?php require __DIR__ . '/item-fields.php' ?>
<button>Save</button> <a href="/">Cancel</a>
</form>
